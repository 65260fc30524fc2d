import { describe, expect, it } from 'vitest';
import { withoutInternalServer } from '../../../../local/stack/offline.js';

const INTERNAL = 'http://127.0.0.1:41234';

describe('withoutInternalServer', () => {
  it("drops the internal server's routes, the Invoke API's routes and the frame, keeps the rest", () => {
    // Prepare
    const banner = [
      'Starting Offline at stage local (us-east-1)',
      '┌────────────────────────────────────────────────────────────────────────────────┐',
      '│   POST | http://127.0.0.1:41234/infrastructure-configurations                  │',
      '│   POST | http://127.0.0.1:3002/2015-03-31/functions/image-provisioner-local-http/invocations │',
      '└────────────────────────────────────────────────────────────────────────────────┘',
      'Offline [http for lambda] listening on http://127.0.0.1:3002',
      `Server ready: ${INTERNAL} 🚀`,
      '(λ: http) RequestId: 1  Duration: 3.00 ms  Billed Duration: 4 ms',
    ].join('\n');

    // Act
    const shown = withoutInternalServer(banner, INTERNAL);

    // Assess
    expect(shown.split('\n')).toEqual([
      'Starting Offline at stage local (us-east-1)',
      'Offline [http for lambda] listening on http://127.0.0.1:3002',
      '(λ: http) RequestId: 1  Duration: 3.00 ms  Billed Duration: 4 ms',
    ]);
  });
});
