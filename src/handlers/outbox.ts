import { createOutboxHandler } from '../channels/ledgerStream.js';
import { createOutboxApp } from '../composition.js';
import { readConfig } from '../config.js';

export const handler = createOutboxHandler(createOutboxApp(readConfig()));
