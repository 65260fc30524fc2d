import { createQueueHandler } from '../channels/queue.js';
import { createApp } from '../composition.js';
import { readConfig } from '../config.js';

export const handler = createQueueHandler(createApp(readConfig()));
