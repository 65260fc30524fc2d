/** What the channels read of the service's configuration (the composition root supplies it). */
export interface ChannelSettings {
  /** Largest request accepted, in bytes: an HTTP body or a queue message. */
  readonly maxRequestBytes: number;
  /** The request queue's maxReceiveCount: the receive that gets no further retry. */
  readonly queueMaxReceiveCount: number;
}
