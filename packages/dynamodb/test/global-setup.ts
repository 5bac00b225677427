// Starts DynamoDB Local once for this project's tests and provides its endpoint.
export { provideDynamoDBLocal as default } from '@idemkit/test-support';
