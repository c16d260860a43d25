/** Reads the wall's endpoints as the page's viewer: a session cookie, or the kiosk token as a bearer. */
export class WallApi {
	constructor(private readonly token: string | null) {}

	async get<T>(path: string): Promise<T> {
		const response = await this.fetch(path);
		if (!response.ok) throw new WallApiError(response.status, path);
		return response.json() as Promise<T>;
	}

	fetch(path: string): Promise<Response> {
		return fetch(path, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
	}
}

export class WallApiError extends Error {
	constructor(
		readonly status: number,
		path: string
	) {
		super(`${path}: ${status}`);
	}
}
