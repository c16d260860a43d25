import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const VERSION: string = (() => {
	try {
		return JSON.parse(readFileSync(resolve(process.cwd(), 'package.json'), 'utf8')).version;
	} catch {
		return '0.0.0';
	}
})();
