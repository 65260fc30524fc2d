import { existsSync } from 'node:fs';

/**
 * Loads `.env` from the working directory when there is one (`.env.example` lists what it may
 * set); a variable already set in the environment wins over the file. Imported first by
 * `npm start`, `npm run send` and `npm run invoke`.
 */
if (existsSync('.env')) process.loadEnvFile('.env');
