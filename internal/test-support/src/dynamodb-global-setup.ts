import type { ProvidedContext } from 'vitest';

import { startDynamoDBLocal } from './dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the DynamoDB Local that a project's tests share. */
    dynamodbEndpoint: string;
  }
}

/** The part of Vitest's `TestProject` that the global setup uses. */
export interface ProvidingProject {
  provide(key: 'dynamodbEndpoint', value: ProvidedContext['dynamodbEndpoint']): void;
}

/**
 * Starts DynamoDB Local in memory for a project's tests, as a Vitest global setup, and provides
 * its endpoint as `inject('dynamodbEndpoint')`. A failure to start fails the run, and the
 * teardown stops the process by its id.
 *
 * @example
 * ```ts
 * // test/global-setup.ts
 * export { provideDynamoDBLocal as default } from '@idemkit/test-support';
 * ```
 */
export async function provideDynamoDBLocal(project: ProvidingProject): Promise<() => Promise<void>> {
  const local = await startDynamoDBLocal();
  project.provide('dynamodbEndpoint', local.endpoint);
  return () => local.stop();
}
