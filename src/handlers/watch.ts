import { createWatchHandler } from '../channels/watchQueue.js';
import { createWatchApp } from '../composition.js';
import { readConfig } from '../config.js';

export const handler = createWatchHandler(createWatchApp(readConfig()));
