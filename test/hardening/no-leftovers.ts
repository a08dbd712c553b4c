import { afterAll, expect } from 'vitest';
import { descendants, listeningPorts } from './leftovers.js';

// After each test file, the worker that ran it must hold no listener and have no child left:
// a stage that was not stopped, or a CLI that was not ended, fails the file that started it.
afterAll(() => {
  expect(listeningPorts(process.pid), 'ports still listening after this file').toEqual([]);
  expect(descendants(process.pid), 'processes still running after this file').toEqual([]);
});
