// Beijing time on the server and in every browser, so the rendered page and hydration agree.
const dateTime = new Intl.DateTimeFormat('zh-CN', {
	timeZone: 'Asia/Shanghai',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hour12: false
});

export const formatTime = (value: Date | string | null | undefined): string => (value ? dateTime.format(new Date(value)) : '—');
