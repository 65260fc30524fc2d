import { startEmulator } from './index.js';

/** CLI entry: `node local/emulator/main.ts` (env: EMULATOR_PORT, EMULATOR_HOST, AWS_REGION, ...). */
function numberFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const emulator = await startEmulator({
  host: process.env.EMULATOR_HOST || undefined,
  port: numberFromEnv('EMULATOR_PORT'),
  region: process.env.AWS_REGION || undefined,
  accountId: process.env.EMULATOR_ACCOUNT_ID || undefined,
  appstreamReadyDelayMs: numberFromEnv('EMULATOR_APPSTREAM_READY_DELAY_MS'),
  appstreamStopDelayMs: numberFromEnv('EMULATOR_APPSTREAM_STOP_DELAY_MS'),
  appstreamStartDelayMs: numberFromEnv('EMULATOR_APPSTREAM_START_DELAY_MS'),
  appstreamDeleteDelayMs: numberFromEnv('EMULATOR_APPSTREAM_DELETE_DELAY_MS'),
});
console.log(`image-provisioner emulator listening on ${emulator.endpoint}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
