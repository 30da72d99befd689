import { startDcrMock } from 'dcr-mock';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    dcrMockUrl: string;
  }
}

// One dcr-mock for the whole run: started before the first test file, closed after the last.
export default async function setup(project: TestProject) {
  const mock = await startDcrMock({
    seed: 'vitest',
    fixtures: [
      {
        client_id: 'e2e-spa',
        client_name: 'E2E SPA',
        redirect_uris: ['http://localhost:5173/callback'],
        token_endpoint_auth_method: 'none',
      },
    ],
  });
  project.provide('dcrMockUrl', mock.url);
  return () => mock.close();
}
