/** What the scope field expects for each role (the rule itself is checked in lib/server/auth/users). */
export const scopeHints: Record<string, string> = {
	leader: '省或市的地区代码',
	dispatcher: '省级地区代码',
	county_officer: '县级地区代码',
	inspector: '检查组编号',
	admin: '省级地区代码'
};

/** The levels of region the region picker offers for each role's scope (none: an inspector's team). */
export const scopeLevels: Record<string, string[]> = {
	leader: ['province', 'city'],
	dispatcher: ['province'],
	county_officer: ['county'],
	admin: ['province']
};
