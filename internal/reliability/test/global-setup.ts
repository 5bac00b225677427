import { startDynamoDBLocal } from '@idemkit/test-support';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the DynamoDB Local that this project's tests share. */
    dynamodbEndpoint: string;
  }
}

/** Starts DynamoDB Local once for the project; a failure to start fails the run. */
export default async function startDynamoDB(project: TestProject): Promise<() => Promise<void>> {
  const local = await startDynamoDBLocal();
  project.provide('dynamodbEndpoint', local.endpoint);
  return () => local.stop();
}
