export * from './child-process.ts';
export * from './free-port.ts';
export * from './redis-cluster.ts';
export * from './redis-server.ts';
export * from './dynamodb-local.ts';
export * from './tcp-proxy.ts';
export * from './dynamodb-global-setup.ts';
