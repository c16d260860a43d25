// `npm start`: builds the app if needed, then runs the production entry (pages, API and
// socket.io on one port), passing on its flags and signals.
import { spawn } from 'node:child_process';
import { ensureBuilt } from './ensure-built.js';

ensureBuilt();
const server = spawn(process.execPath, ['build/server.js', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
