// The README's SSM setup, run for real. @middy/ssm and the AWS SDK's SSM client fetch the store's
// URL from a loopback stand-in of the SSM API, because there is no AWS here. The persistence
// factory receives the URL on the first request.
import { createServer, type Server } from 'node:http';

import { SSMClient } from '@aws-sdk/client-ssm';
import { MemoryPersistenceLayer, type PersistenceLayer } from '@idemkit/idempotency-core';
import middy from '@middy/core';
import ssm from '@middy/ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { idempotency, type PersistenceFactoryRequest } from '../src/index.js';
import { httpApiEvent } from './events.js';
import { lambdaContext } from './support.js';

const PARAMETER = '/payments/redis-url';
const SECRET_URL = 'rediss://:not-a-real-password@127.0.0.1:6380';

describe('store credentials from SSM Parameter Store', () => {
  let server: Server;
  let endpoint: string;
  const targets: string[] = [];

  beforeAll(async () => {
    // Serves GetParameters in the SSM JSON 1.1 protocol, for the one parameter the test uses.
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      request.on('end', () => {
        targets.push(String(request.headers['x-amz-target']));
        const names = (JSON.parse(body) as { Names: string[] }).Names;
        const found = names.filter((name) => name === PARAMETER);
        response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' }).end(
          JSON.stringify({
            Parameters: found.map((name) => ({ Name: name, Type: 'SecureString', Value: SECRET_URL, Version: 1, DataType: 'text' })),
            InvalidParameters: names.filter((name) => name !== PARAMETER),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('creates the store from the fetched value on the first request only', async () => {
    const urls: string[] = [];
    let runs = 0;
    const persistence = new MemoryPersistenceLayer();
    const factory = (request: PersistenceFactoryRequest): PersistenceLayer => {
      urls.push(String(request.context.redisUrl));
      return persistence;
    };
    const handler = middy(async () => ({ statusCode: 200, body: `run ${++runs}` }))
      .use(
        ssm({
          AwsClient: SSMClient,
          awsClientOptions: { endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
          fetchData: { redisUrl: PARAMETER },
          setToContext: true,
          disablePrefetch: true,
        }),
      )
      .use(idempotency({ persistence: factory, namespace: 'ssm', http: true, scope: () => 'tenant', logger: false }));
    const event = httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' }, body: '{"cents":1}' });

    // @middy/ssm adds redisUrl to the context type; the context it is given has none yet.
    const context = lambdaContext() as Parameters<typeof handler>[1];
    const first = (await handler(event, context)) as { body: string };
    const replay = (await handler(httpApiEvent({ headers: { 'Idempotency-Key': 'k-1' }, body: '{"cents":1}' }), context)) as { body: string };

    expect(targets[0]).toBe('AmazonSSM.GetParameters');
    expect(urls).toEqual([SECRET_URL]);
    expect(first.body).toBe('run 1');
    expect(replay.body).toBe('run 1');
    expect(runs).toBe(1);
  });
});
