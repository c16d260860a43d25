// Worker threads of Node 20 do not inherit `--import tsx`: register it here, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./clients-worker.ts');
