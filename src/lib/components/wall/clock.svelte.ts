/** One ticking clock per page, corrected by the server's time so countdowns agree with it. */
export class Clock {
	now = $state(Date.now());
	#offset = 0;
	#timer: ReturnType<typeof setInterval> | undefined;

	start(): this {
		this.#timer = setInterval(() => (this.now = Date.now() + this.#offset), 1000);
		return this;
	}

	/** The server said it is `serverTime`: keep the difference. */
	sync(serverTime: string): void {
		this.#offset = Date.parse(serverTime) - Date.now();
		this.now = Date.now() + this.#offset;
	}

	stop(): void {
		clearInterval(this.#timer);
	}
}
