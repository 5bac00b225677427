import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';

/**
 * A minimal in-memory persistence layer for Powertools, built on its own `BasePersistenceLayer`
 * (Powertools 2.35.0 ships none), so that the in-process figures compare the two libraries'
 * own work with no I/O. Its conditional put mirrors the DynamoDB layer's condition: a record
 * blocks a new claim unless it has expired, or is IN_PROGRESS with a lapsed in-progress expiry.
 * It keeps at most `maxItems` records and drops the oldest first.
 */
export class PowertoolsMemoryLayer extends BasePersistenceLayer {
  readonly #records = new Map<string, IdempotencyRecord>();
  readonly #maxItems: number;

  constructor(maxItems: number) {
    super();
    this.#maxItems = maxItems;
  }

  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    if (existing !== undefined && isBlocking(existing)) {
      throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, existing);
    }
    this.#records.delete(record.idempotencyKey);
    this.#records.set(record.idempotencyKey, record);
    if (this.#records.size > this.#maxItems) {
      const oldest = this.#records.keys().next();
      if (oldest.done !== true) this.#records.delete(oldest.value);
    }
  }

  protected override async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.#records.get(idempotencyKey);
    if (record === undefined) throw new IdempotencyItemNotFoundError();
    return record;
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.set(record.idempotencyKey, record);
  }

  protected override async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.delete(record.idempotencyKey);
  }
}

function isBlocking(record: IdempotencyRecord): boolean {
  if (record.isExpired()) return false;
  if (record.getStatus() !== IdempotencyRecordStatus.INPROGRESS) return true;
  return record.inProgressExpiryTimestamp === undefined || record.inProgressExpiryTimestamp >= Date.now();
}
