import { createQueueHandler } from '../channels/queue.js';
import { createApp } from '../composition.js';
import { readConfig } from '../config.js';

const app = createApp(readConfig());

export const handler = createQueueHandler({
  ...app,
  maxReceiveCount: app.config.queueMaxReceiveCount,
});
