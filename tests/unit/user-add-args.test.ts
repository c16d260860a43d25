import { describe, expect, it } from 'vitest';
import { generatePassword, parseUserAddArgs, UsageError } from '../../scripts/user-add';

const base = ['--username', 'zhang.san', '--role', 'county_officer', '--scope', '640522'];

describe('user:add arguments', () => {
	it('reads the username, role and scope, generating the password by default', () => {
		expect(parseUserAddArgs(base)).toEqual({ username: 'zhang.san', role: 'county_officer', scope: '640522', passwordStdin: false });
	});

	it('reads the password from stdin when asked', () => {
		expect(parseUserAddArgs([...base, '--password-stdin'])).toMatchObject({ passwordStdin: true });
	});

	it('accepts --flag=value', () => {
		expect(parseUserAddArgs(['--username=li', '--role=inspector', '--scope=T01'])).toMatchObject({ username: 'li', role: 'inspector', scope: 'T01' });
	});

	it('answers help before checking anything else', () => {
		expect(parseUserAddArgs(['--help'])).toBe('help');
		expect(parseUserAddArgs(['-h', '--role', 'nobody'])).toBe('help');
	});

	it('names every missing flag', () => {
		expect(() => parseUserAddArgs(['--role', 'admin'])).toThrow(/--username, --scope/);
		expect(() => parseUserAddArgs([...base.slice(0, 4), '--scope', ' '])).toThrow(UsageError);
	});

	it('refuses a role that does not exist', () => {
		expect(() => parseUserAddArgs(['--username', 'a1', '--role', 'root', '--scope', '640000'])).toThrow(/--role must be one of/);
	});

	it('refuses unknown flags, positionals and a flag without its value', () => {
		expect(() => parseUserAddArgs([...base, '--password', 'x'])).toThrow(UsageError);
		expect(() => parseUserAddArgs([...base, 'extra'])).toThrow(UsageError);
		expect(() => parseUserAddArgs(['--username'])).toThrow(UsageError);
	});

	it('generates a different strong password each time', () => {
		const [a, b] = [generatePassword(), generatePassword()];
		expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
		expect(a).not.toBe(b);
	});
});
