import type { ServiceEvent } from './outcome.js';

/** Where outcome events go: the port the outbox publishes through, one adapter per sink. */
export interface OutcomePublisher {
  /** Publishes one event; rejects when it could not be delivered. */
  publish(event: ServiceEvent): Promise<void>;
}
