import type { DeleteCommandInput, GetCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AcquireRequest, CompleteRequest, SaveStepRequest } from '@idemkit/idempotency-core';

import type { ResolvedOptions } from './options.js';
import { itemKey, ttlSeconds } from './record-item.js';

// Every attribute goes through a placeholder, because several default names (status, response)
// are DynamoDB reserved words and configured names may be too.
type Placeholder = '#pk' | '#status' | '#expiresAt' | '#expiresAtSeconds' | '#lease' | '#token' | '#hash' | '#response' | '#steps';

const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';

// Part of each condition: the record still exists, has the caller's token, and has not expired.
// Instants on both sides are epoch ms.
const OWNED = '#token = :token AND #expiresAt > :now';

/**
 * The acquire: one UpdateItem that creates the claim, or takes over a lapsed one, or fails with
 * the blocking item. Its condition admits an absent item, an expired one, and an IN_PROGRESS one
 * whose lease lapsed and whose payloadHash matches (or either side has none). An item that
 * already has this token (a retry whose first response was lost) fails the condition and is
 * left as it is. The caller then reads its own claim in the returned item. The update keeps
 * `steps` whatever it finds, because it cannot branch. ALL_OLD shows the caller whether they came
 * from an expired item, and the caller then clears them with {@link clearStepsInput}.
 */
export function acquireInput(options: ResolvedOptions, request: AcquireRequest): UpdateCommandInput {
  const expiresAt = request.now + request.expiresAfterMs;
  const hashed = request.payloadHash !== undefined;
  const sameHash = hashed ? ' AND (attribute_not_exists(#hash) OR #hash = :hash)' : '';

  return {
    TableName: options.tableName,
    Key: itemKey(options, request.key),
    UpdateExpression: [
      'SET #status = :inProgress, #expiresAt = :expiresAt, #expiresAtSeconds = :expiresAtSeconds, #lease = :lease, #token = :token',
      hashed ? ', #hash = :hash' : '',
      ', #steps = if_not_exists(#steps, :noSteps)',
      hashed ? ' REMOVE #response' : ' REMOVE #response, #hash',
    ].join(''),
    ConditionExpression: [
      'attribute_not_exists(#pk)',
      '#expiresAt <= :now',
      // This token's own lapsed claim is not taken over but found, and left as it is.
      `(#status = :inProgress AND #lease <= :now AND #token <> :token${sameHash})`,
    ].join(' OR '),
    ExpressionAttributeNames: attributeNames(options, ['#pk', '#status', '#expiresAt', '#expiresAtSeconds', '#lease', '#token', '#hash', '#response', '#steps']),
    ExpressionAttributeValues: {
      ':inProgress': IN_PROGRESS,
      ':expiresAt': expiresAt,
      ':expiresAtSeconds': ttlSeconds(expiresAt),
      ':lease': Math.min(request.now + request.leaseMs, expiresAt),
      ':token': request.leaseToken,
      ':now': request.now,
      ':noSteps': {},
      ...(hashed ? { ':hash': request.payloadHash } : {}),
    },
    ReturnValues: 'ALL_OLD',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Empties the steps that an acquire kept from an expired item, while the claim is still this token's. */
export function clearStepsInput(options: ResolvedOptions, key: string, leaseToken: string): UpdateCommandInput {
  return {
    TableName: options.tableName,
    Key: itemKey(options, key),
    UpdateExpression: 'SET #steps = :noSteps',
    ConditionExpression: '#token = :token',
    ExpressionAttributeNames: attributeNames(options, ['#steps', '#token']),
    ExpressionAttributeValues: { ':noSteps': {}, ':token': leaseToken },
  };
}

/** Sets COMPLETED with the response; `expiresAt`, its TTL, the payloadHash and steps stay. */
export function completeInput(options: ResolvedOptions, request: CompleteRequest): UpdateCommandInput {
  return {
    TableName: options.tableName,
    Key: itemKey(options, request.key),
    UpdateExpression: 'SET #status = :completed, #response = :response',
    ConditionExpression: OWNED,
    ExpressionAttributeNames: attributeNames(options, ['#status', '#response', '#token', '#expiresAt']),
    ExpressionAttributeValues: { ':completed': COMPLETED, ':response': request.response, ':token': request.leaseToken, ':now': request.now },
  };
}

/**
 * Deletes a claim without steps. On a claim with steps the condition fails and returns the item,
 * so the caller can lapse its lease instead.
 */
export function releaseByDeleteInput(options: ResolvedOptions, key: string, leaseToken: string, now: number): DeleteCommandInput {
  return {
    TableName: options.tableName,
    Key: itemKey(options, key),
    ConditionExpression: `${OWNED} AND (attribute_not_exists(#steps) OR size(#steps) = :zero)`,
    ExpressionAttributeNames: attributeNames(options, ['#token', '#expiresAt', '#steps']),
    ExpressionAttributeValues: { ':token': leaseToken, ':now': now, ':zero': 0 },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/** Arguments of {@link setLeaseInput}. */
export interface SetLeaseRequest {
  readonly key: string;
  readonly leaseToken: string;
  readonly now: number;
  /** The new lease deadline, epoch ms. */
  readonly leaseExpiresAt: number;
  /** Only on an IN_PROGRESS claim (extend), or in any status (release). */
  readonly inProgressOnly: boolean;
}

/** Sets the lease while the claim is this token's: a release that keeps steps, or an extend. */
export function setLeaseInput(options: ResolvedOptions, request: SetLeaseRequest): UpdateCommandInput {
  const owned = request.inProgressOnly ? `#status = :inProgress AND ${OWNED}` : OWNED;
  return {
    TableName: options.tableName,
    Key: itemKey(options, request.key),
    UpdateExpression: 'SET #lease = :lease',
    ConditionExpression: owned,
    ExpressionAttributeNames: attributeNames(options, request.inProgressOnly ? ['#lease', '#status', '#token', '#expiresAt'] : ['#lease', '#token', '#expiresAt']),
    ExpressionAttributeValues: {
      ':lease': request.leaseExpiresAt,
      ':token': request.leaseToken,
      ':now': request.now,
      ...(request.inProgressOnly ? { ':inProgress': IN_PROGRESS } : {}),
    },
  };
}

/** Stores one step result in the steps map, on an IN_PROGRESS claim of this token. */
export function saveStepInput(options: ResolvedOptions, request: SaveStepRequest): UpdateCommandInput {
  return {
    TableName: options.tableName,
    Key: itemKey(options, request.key),
    UpdateExpression: 'SET #steps.#step = :result',
    ConditionExpression: `#status = :inProgress AND ${OWNED}`,
    ExpressionAttributeNames: { ...attributeNames(options, ['#steps', '#status', '#token', '#expiresAt']), '#step': request.name },
    ExpressionAttributeValues: { ':result': request.result, ':inProgress': IN_PROGRESS, ':token': request.leaseToken, ':now': request.now },
  };
}

/** Reads with strong consistency, because an eventually consistent read could miss a claim made a moment ago. */
export function getInput(options: ResolvedOptions, key: string): GetCommandInput {
  return { TableName: options.tableName, Key: itemKey(options, key), ConsistentRead: true };
}

/** Deletes the item, whatever its state. */
export function deleteInput(options: ResolvedOptions, key: string): DeleteCommandInput {
  return { TableName: options.tableName, Key: itemKey(options, key) };
}

function attributeNames(options: ResolvedOptions, placeholders: readonly Placeholder[]): Record<string, string> {
  const names = options.attributeNames;
  const byPlaceholder: Record<Placeholder, string> = {
    '#pk': options.partitionKey,
    '#status': names.status,
    '#expiresAt': names.expiresAt,
    '#expiresAtSeconds': names.expiresAtSeconds,
    '#lease': names.leaseExpiresAt,
    '#token': names.leaseToken,
    '#hash': names.payloadHash,
    '#response': names.response,
    '#steps': names.steps,
  };
  return Object.fromEntries(placeholders.map((placeholder) => [placeholder, byPlaceholder[placeholder]]));
}
