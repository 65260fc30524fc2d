import type { Outcome } from './outcome.js';

/** Where outcomes go: the port the pipeline announces through, one adapter per sink. */
export interface OutcomePublisher {
  /** Publishes one outcome; rejects when it could not be delivered. */
  publish(outcome: Outcome, subject?: string): Promise<void>;
}
