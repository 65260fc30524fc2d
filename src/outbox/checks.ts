/** One check of a watched resource, as its message carries it. */
export interface ScheduledCheck {
  operation: string;
  clientToken: string;
  /** The watch's check count when the check was scheduled: a copy finds it moved on. */
  checks: number;
}

/** Where the checks of watched resources are scheduled: the port, one adapter per queue. */
export interface CheckScheduler {
  /** Schedules `check` to run `delaySeconds` from now (0–900). */
  schedule(check: ScheduledCheck, delaySeconds: number): Promise<void>;
}
