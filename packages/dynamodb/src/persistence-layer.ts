import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DeleteCommandInput,
  type DeleteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  type TranslateConfig,
  UpdateCommand,
  type UpdateCommandInput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type {
  AcquireRequest,
  AcquireResult,
  CompleteRequest,
  DeleteRequest,
  ExtendRequest,
  GetRequest,
  IdempotencyRecord,
  PersistenceLayer,
  PersistenceTraits,
  ReleaseRequest,
  SaveStepRequest,
  StepResults,
} from '@idemkit/idempotency-core';
import { describeValue, IdempotencyPersistenceError } from '@idemkit/idempotency-core';

import { type ClaimChange, ClaimFootprints } from './claim-footprints.js';
import {
  acquireInput,
  clearStepsInput,
  completeInput,
  deleteInput,
  getInput,
  releaseByDeleteInput,
  saveStepInput,
  setLeaseInput,
} from './commands.js';
import { MAX_ITEM_BYTES } from './item-size.js';
import { configError, type DynamoDBPersistenceOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type Item, numberValue, toRecord } from './record-item.js';
import { failedConditionItem, isConditionFailure, storeFailure, tooLargeError } from './store-errors.js';

/** A send that either succeeded or failed its condition; a failed condition carries the item it found. */
type WriteResult<T> = { readonly ok: true; readonly output: T } | { readonly ok: false; readonly item: Item | undefined };

/**
 * Stores idempotency records in a DynamoDB table through a `DynamoDBDocumentClient`. Every
 * method sends one request, a conditional write or a strongly consistent read. Two rare cases send
 * a second one: an acquire that replaced an expired record with steps, and a release of steps
 * that another process stored. Times are core's clock in epoch ms. The TTL attribute contains the
 * expiry in epoch seconds for DynamoDB's TTL feature.
 *
 * Use the constructor with a document client you made, or `fromClient` / `fromConfig`.
 *
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
 * import { makeIdempotent } from '@idemkit/idempotency-core';
 * import { DynamoDBPersistenceLayer } from '@idemkit/idempotency-dynamodb';
 *
 * const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
 * const persistence = new DynamoDBPersistenceLayer(documentClient, { tableName: 'idempotency' });
 * export const handler = makeIdempotent(processOrder, { persistence, namespace: 'orders' });
 * ```
 */
export class DynamoDBPersistenceLayer implements PersistenceLayer {
  /** Core's clock, and DynamoDB's 400 KB item limit. */
  readonly traits: PersistenceTraits = { clock: 'caller', maxRecordBytes: MAX_ITEM_BYTES };
  readonly #client: DynamoDBDocumentClient;
  readonly #options: ResolvedOptions;
  readonly #footprints: ClaimFootprints;
  // Set by fromConfig only: the one client that close() destroys.
  #ownedClient: DynamoDBClient | undefined;

  /**
   * Uses a document client you made; `close()` leaves it open.
   *
   * @example
   * ```ts
   * const layer = new DynamoDBPersistenceLayer(DynamoDBDocumentClient.from(client), { tableName: 'idempotency' });
   * ```
   */
  constructor(documentClient: DynamoDBDocumentClient, options: DynamoDBPersistenceOptions) {
    if (typeof (documentClient as { send?: unknown } | null)?.send !== 'function') {
      throw configError(
        `the first argument must be a DynamoDBDocumentClient, got ${describeValue(documentClient)}. Use DynamoDBPersistenceLayer.fromClient(client, options) for a DynamoDBClient, or fromConfig(config, options).`,
      );
    }
    this.#options = resolveOptions(options);
    this.#client = documentClient;
    checkTranslateConfig(documentClient);
    this.#footprints = new ClaimFootprints(this.#options);
  }

  /**
   * Wraps a `DynamoDBClient` you made in a document client; `close()` leaves the client open.
   *
   * @example
   * ```ts
   * const layer = DynamoDBPersistenceLayer.fromClient(new DynamoDBClient({}), { tableName: 'idempotency' });
   * ```
   */
  static fromClient(client: DynamoDBClient, options: DynamoDBPersistenceOptions): DynamoDBPersistenceLayer {
    if (typeof (client as { send?: unknown } | null)?.send !== 'function') {
      throw configError(`fromClient needs a DynamoDBClient, got ${describeValue(client)}.`);
    }
    // DynamoDBDocumentClient.from stores its translateConfig on the client's config object, and
    // every document client made from this client shares that object. Passing the current
    // translateConfig keeps the settings of a document client that the caller made already.
    const translateConfig = (client.config as { translateConfig?: TranslateConfig }).translateConfig;
    return new DynamoDBPersistenceLayer(DynamoDBDocumentClient.from(client, translateConfig), options);
  }

  /**
   * Creates its own `DynamoDBClient` from SDK options; `close()` destroys it.
   *
   * @example
   * ```ts
   * const layer = DynamoDBPersistenceLayer.fromConfig({ region: 'eu-west-1' }, { tableName: 'idempotency' });
   * // later, on shutdown:
   * await layer.close();
   * ```
   */
  static fromConfig(config: DynamoDBClientConfig, options: DynamoDBPersistenceOptions): DynamoDBPersistenceLayer {
    if (typeof config !== 'object' || config === null) {
      throw configError(`fromConfig needs DynamoDBClientConfig options such as { region: 'eu-west-1' }, got ${describeValue(config)}.`);
    }
    resolveOptions(options);
    const client = new DynamoDBClient(config);
    const layer = new DynamoDBPersistenceLayer(DynamoDBDocumentClient.from(client), options);
    layer.#ownedClient = client;
    return layer;
  }

  async acquire(request: AcquireRequest): Promise<AcquireResult> {
    const written = await this.#update('acquire', request.key, acquireInput(this.#options, request));
    if (!written.ok) return this.#blocked(request, written.item);

    const steps = await this.#stepsKept(request, written.output.Attributes);
    const expiresAt = request.now + request.expiresAfterMs;
    const leaseExpiresAt = Math.min(request.now + request.leaseMs, expiresAt);
    this.#footprints.remember(request.key, { leaseToken: request.leaseToken, payloadHash: request.payloadHash, expiresAt, leaseExpiresAt }, steps);
    return { acquired: true, steps };
  }

  async complete(request: CompleteRequest): Promise<boolean> {
    this.#checkSize('complete', request, { kind: 'complete', response: request.response });
    const written = await this.#update('complete', request.key, completeInput(this.#options, request));
    this.#footprints.forget(request.key, request.leaseToken);
    return written.ok;
  }

  /**
   * Deletes a claim without steps in one conditional DeleteItem. A claim with steps keeps them,
   * and only its lease is set to `now`. That costs a second request when another process stored
   * the steps, because this layer then learns of them from the failed delete.
   */
  async release(request: ReleaseRequest): Promise<boolean> {
    const known = this.#footprints.find(request.key, request.leaseToken);
    if (known !== undefined && known.stepBytes.size > 0) return this.#lapseLease(request);

    const deleted = await this.#delete('release', request.key, releaseByDeleteInput(this.#options, request.key, request.leaseToken, request.now));
    if (deleted.ok) {
      this.#footprints.forget(request.key, request.leaseToken);
      return true;
    }

    const record = deleted.item === undefined ? undefined : toRecord(this.#options, request.key, deleted.item);
    const owned = record?.leaseToken === request.leaseToken && record.expiresAt > request.now;
    if (owned && Object.keys(record.steps).length > 0) return this.#lapseLease(request);

    this.#footprints.forget(request.key, request.leaseToken);
    return false;
  }

  /**
   * Renews the lease to `now + leaseMs`, capped at the expiry when this layer acquired the claim.
   * NOTE: a claim acquired by another process is extended without the cap, because UpdateItem
   * cannot take a minimum. Every read caps the lease at the expiry. The conditions need no cap,
   * because a record past its expiry is admitted as expired.
   */
  async extend(request: ExtendRequest): Promise<boolean> {
    const known = this.#footprints.find(request.key, request.leaseToken);
    const leaseExpiresAt = Math.min(request.now + request.leaseMs, known?.expiresAt ?? Number.POSITIVE_INFINITY);
    const input = setLeaseInput(this.#options, { ...request, leaseExpiresAt, inProgressOnly: true });

    const written = await this.#update('extend', request.key, input);
    if (written.ok && known !== undefined) known.leaseExpiresAt = leaseExpiresAt;
    return written.ok;
  }

  async saveStep(request: SaveStepRequest): Promise<boolean> {
    this.#checkSize('saveStep', request, { kind: 'saveStep', name: request.name, result: request.result });
    const written = await this.#update('saveStep', request.key, saveStepInput(this.#options, request));
    if (written.ok) this.#footprints.addStep(request.key, request.leaseToken, request.name, request.result);
    return written.ok;
  }

  /** Reads the record. An expired record is absent, even while DynamoDB still has the item because its TTL deletion lags. */
  async get(request: GetRequest): Promise<IdempotencyRecord | undefined> {
    const read = await this.#send('get', request.key, () => this.#client.send(new GetCommand(getInput(this.#options, request.key))));
    const item = read.ok ? read.output.Item : undefined;
    if (item === undefined) return undefined;
    const record = toRecord(this.#options, request.key, item);
    return record.expiresAt > request.now ? record : undefined;
  }

  async delete(request: DeleteRequest): Promise<void> {
    await this.#delete('delete', request.key, deleteInput(this.#options, request.key));
    this.#footprints.forget(request.key);
  }

  /** Destroys the client that `fromConfig` created; a no-op for a client it was given. */
  async close(): Promise<void> {
    this.#ownedClient?.destroy();
    this.#ownedClient = undefined;
  }

  /** The result of an acquire whose condition failed: the blocking record, or this token's own claim. */
  #blocked(request: AcquireRequest, item: Item | undefined): AcquireResult {
    if (item === undefined) {
      throw new IdempotencyPersistenceError(
        `DynamoDBPersistenceLayer: acquire of ${request.key} on table ${this.#options.tableName} failed its condition, but DynamoDB returned no item.`,
        { key: request.key },
      );
    }
    const record = toRecord(this.#options, request.key, item);
    // Only an IN_PROGRESS claim counts as this token's own: a completed record is never claimed again.
    if (record.leaseToken !== request.leaseToken || record.status !== 'IN_PROGRESS') return { acquired: false, record };

    const { leaseToken, payloadHash, expiresAt, leaseExpiresAt } = record;
    this.#footprints.remember(request.key, { leaseToken, payloadHash, expiresAt, leaseExpiresAt }, record.steps);
    return { acquired: true, steps: record.steps };
  }

  /**
   * The steps an acquire keeps from the item it replaced (ALL_OLD): those of a lapsed claim, none
   * from an absent or expired item. The update kept an expired item's steps, because it cannot
   * branch, so they are cleared here in a second request.
   */
  async #stepsKept(request: AcquireRequest, old: Item | undefined): Promise<StepResults> {
    if (old === undefined) return {};
    const names = this.#options.attributeNames;
    const oldExpiresAt = numberValue(old[names.expiresAt]);
    const steps = old[names.steps];
    const hasSteps = typeof steps === 'object' && steps !== null && Object.keys(steps).length > 0;

    if (oldExpiresAt > request.now) return toRecord(this.#options, request.key, old).steps;
    if (hasSteps) {
      await this.#update('acquire', request.key, clearStepsInput(this.#options, request.key, request.leaseToken));
    }
    return {};
  }

  async #lapseLease(request: ReleaseRequest): Promise<boolean> {
    const input = setLeaseInput(this.#options, { ...request, leaseExpiresAt: request.now, inProgressOnly: false });
    const written = await this.#update('release', request.key, input);
    this.#footprints.forget(request.key, request.leaseToken);
    return written.ok;
  }

  /** Rejects a write whose item would pass 400 KB, before it is sent. */
  #checkSize(operation: string, request: { key: string; leaseToken: string; now: number }, change: ClaimChange): void {
    const sizeBytes = this.#footprints.itemBytesAfter(request.key, request.leaseToken, request.now, change);
    if (sizeBytes > MAX_ITEM_BYTES) throw tooLargeError(operation, request.key, sizeBytes);
  }

  #update(operation: string, key: string, input: UpdateCommandInput): Promise<WriteResult<UpdateCommandOutput>> {
    return this.#send(operation, key, () => this.#client.send(new UpdateCommand(input)));
  }

  #delete(operation: string, key: string, input: DeleteCommandInput): Promise<WriteResult<DeleteCommandOutput>> {
    return this.#send(operation, key, () => this.#client.send(new DeleteCommand(input)));
  }

  /** Sends one command: a failed condition is a result, any other failure `IdempotencyPersistenceError`. */
  async #send<T>(operation: string, key: string, send: () => Promise<T>): Promise<WriteResult<T>> {
    checkTranslateConfig(this.#client);
    try {
      return { ok: true, output: await send() };
    } catch (error) {
      if (isConditionFailure(error)) return { ok: false, item: failedConditionItem(error) };
      throw storeFailure(operation, this.#options.tableName, key, error);
    }
  }
}

/**
 * Rejects a document client that stores '' as NULL. Checked on every request too, because
 * `DynamoDBDocumentClient.from` on the same DynamoDBClient replaces the shared translateConfig.
 */
function checkTranslateConfig(client: DynamoDBDocumentClient): void {
  const translateConfig = (client.config as { translateConfig?: TranslateConfig } | undefined)?.translateConfig;
  if (translateConfig?.marshallOptions?.convertEmptyValues !== true) return;
  throw configError(
    'the document client sets marshallOptions.convertEmptyValues, which stores an empty string as NULL, so an empty result or step would read back as null. Create the DynamoDBDocumentClient without it, or use fromConfig so that this layer has a DynamoDBClient of its own.',
  );
}
