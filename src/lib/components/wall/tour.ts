import type { IndicatorKey } from '$lib/indicators';

/** Alerts waiting behind the one on screen; beyond this the oldest waiting one is dropped. */
const MAX_QUEUED = 10;

/** What the wall shows at a moment of its unattended tour. */
export interface TourView {
	indicator: IndicatorKey;
	/** the city flown to, or null for the whole scope */
	city: string | null;
	alert: TourAlert | null;
	/** someone is using the screen: the tour waits */
	paused: boolean;
}

export interface TourAlert {
	seq: number;
	type: string;
	county: string | null;
	/** what the banner says beside the type, e.g. the problem's code and deadline */
	detail: string;
}

export interface TourOptions {
	indicators: IndicatorKey[];
	cities: string[];
	stepMs: number;
	/** how long an alert holds the screen */
	alertMs?: number;
	/** how long after the last touch the tour waits before it goes on */
	idleMs?: number;
	now?: () => number;
}

/**
 * The wall's tour: province with an indicator, then a city with the same indicator, back to
 * the province with the next indicator, the next city, and so on. An alert breaks in and holds
 * the screen, further alerts queue behind it; afterwards the tour goes on where it left off.
 * `tick` is driven by the caller's timer so that the logic runs under a test clock.
 */
export class Tour {
	#step = 0;
	#nextAt: number;
	#alerts: TourAlert[] = [];
	#alertUntil = 0;
	#pausedUntil = 0;
	#view: TourView;
	readonly #options: Required<TourOptions>;

	constructor(
		options: TourOptions,
		private readonly onchange: (view: TourView) => void
	) {
		this.#options = { alertMs: 15_000, idleMs: 60_000, now: Date.now, ...options };
		this.#nextAt = this.#now() + this.#options.stepMs;
		this.#view = { indicator: options.indicators[0], city: null, alert: null, paused: false };
	}

	get view(): TourView {
		return this.#view;
	}

	#now(): number {
		return this.#options.now();
	}

	#show(view: Partial<TourView>): void {
		this.#view = { ...this.#view, ...view };
		this.onchange(this.#view);
	}

	/** The view of step `n`: even steps show the whole scope, odd ones a city (when there are cities). */
	#stepView(n: number): Pick<TourView, 'indicator' | 'city'> {
		const { indicators, cities } = this.#options;
		if (!cities.length) return { indicator: indicators[n % indicators.length], city: null };
		const round = Math.floor(n / 2);
		return { indicator: indicators[round % indicators.length], city: n % 2 ? cities[round % cities.length] : null };
	}

	/** Someone touched the screen: hold still for a while. */
	touch(): void {
		this.#pausedUntil = this.#now() + this.#options.idleMs;
		if (!this.#view.paused) this.#show({ paused: true });
	}

	/** Something just happened that leadership must see: it breaks into the tour. */
	alert(alert: TourAlert): void {
		if (this.#view.alert) {
			// a long queue gives way at its old end: what just happened is what leadership must see
			if (this.#alerts.length >= MAX_QUEUED) this.#alerts.shift();
			this.#alerts.push(alert);
			return;
		}
		this.#alertUntil = this.#now() + this.#options.alertMs;
		this.#show({ alert });
	}

	/** Picks an indicator by hand (the operator's choice holds until the tour resumes). */
	choose(indicator: IndicatorKey): void {
		this.touch();
		this.#show({ indicator });
	}

	tick(): void {
		const now = this.#now();
		if (this.#view.alert) {
			if (now < this.#alertUntil) return;
			const next = this.#alerts.shift();
			if (next) {
				this.#alertUntil = now + this.#options.alertMs;
				this.#show({ alert: next });
				return;
			}
			// resume where the tour left off, with a full step before it moves on
			this.#nextAt = now + this.#options.stepMs;
			this.#show({ alert: null });
			return;
		}
		if (this.#view.paused) {
			if (now < this.#pausedUntil) return;
			this.#nextAt = now + this.#options.stepMs;
			this.#show({ paused: false });
			return;
		}
		if (now < this.#nextAt) return;
		this.#step += 1;
		this.#nextAt = now + this.#options.stepMs;
		this.#show(this.#stepView(this.#step));
	}
}
