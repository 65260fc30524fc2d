import { createHttpHandler } from '../channels/http.js';
import { createHttpApp } from '../composition.js';
import { readConfig } from '../config.js';

export const handler = createHttpHandler(createHttpApp(readConfig()));
