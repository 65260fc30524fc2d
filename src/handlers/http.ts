import { createHttpHandler } from '../channels/http.js';
import { createApp } from '../composition.js';
import { readConfig } from '../config.js';

export const handler = createHttpHandler(createApp(readConfig()));
