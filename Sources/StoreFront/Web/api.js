// Shared by the store and the dashboard: building DOM without HTML strings, formatting money, and calling the
// JSON API with bearer tokens kept in localStorage.

/**
 * Creates an element. Attributes named `on…` become event listeners; strings and numbers among the children
 * become text nodes, so text from the API is never parsed as HTML.
 * @example el('a', { href: '#/', class: 'link' }, 'Home')
 */
export function el(tag, attrs = {}, ...children) {
    return build(document.createElement(tag), attrs, children);
}

/** Like `el`, for SVG elements. */
export function svg(tag, attrs = {}, ...children) {
    return build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function build(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs)) {
        if (value === false || value == null) continue;
        if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? '' : String(value));
    }
    node.append(...children.flat(Infinity).filter((child) => child != null && child !== false));
    return node;
}

const formatters = new Map();

function formatter(currency) {
    if (!formatters.has(currency)) {
        let format = null;
        try {
            format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
        } catch {
            // An unknown code: formatMoney falls back to plain digits and the code.
        }
        formatters.set(currency, format);
    }
    return formatters.get(currency);
}

/** How many minor units make a major one in `currency` (2 for EUR, 0 for JPY). */
export function currencyDigits(currency) {
    return formatter(currency)?.resolvedOptions().maximumFractionDigits ?? 2;
}

/** Formats integer minor units of an ISO 4217 currency for the reader's locale: `formatMoney(11100, 'EUR')`. */
export function formatMoney(minorUnits, currency) {
    const amount = minorUnits / 10 ** currencyDigits(currency);
    return formatter(currency)?.format(amount) ?? `${amount.toFixed(currencyDigits(currency))} ${currency}`;
}

/**
 * A failed call, carrying the problem+json body: its message is the problem's `detail`. `headers` are the response's
 * (a declined checkout's `Location` names its order).
 */
export class ApiError extends Error {
    constructor(status, problem, fallback, headers = new Headers()) {
        super(problem.detail || problem.title || fallback);
        this.name = 'ApiError';
        this.status = status;
        this.problem = problem;
        this.headers = headers;
    }

    /** The problem's slug: `payment-declined` for `urn:emporium:problem:payment-declined`. */
    get type() {
        return String(this.problem.type ?? '').split(':').pop();
    }

    /** The problem's field errors as a map from field to message (`{'card.number': 'fails the Luhn check'}`). */
    get fieldErrors() {
        const errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
        return Object.fromEntries(errors.filter((error) => error?.field).map((error) => [error.field, error.message]));
    }
}

async function errorFrom(response) {
    let problem = {};
    try {
        problem = await response.json();
    } catch {
        // Not JSON (a proxy's error page): the status line will do.
    }
    let fallback = `${response.status} ${response.statusText || 'error'}`.trim();
    const retryAfter = response.headers.get('Retry-After');
    if (response.status === 429 && retryAfter) fallback += ` (try again in ${retryAfter} s)`;
    return new ApiError(response.status, problem && typeof problem === 'object' ? problem : {}, fallback, response.headers);
}

/** Calls the API; one `Client` per stored session (the store and the dashboard keep separate ones). */
export class Client {
    #key;
    #refreshing = null;

    constructor(storageKey) {
        this.#key = storageKey;
    }

    /** The stored Session (`{accessToken, refreshToken, user, ...}`) or null. */
    get session() {
        try {
            return JSON.parse(localStorage.getItem(this.#key));
        } catch {
            return null;
        }
    }

    set session(value) {
        if (value) localStorage.setItem(this.#key, JSON.stringify(value));
        else localStorage.removeItem(this.#key);
    }

    /**
     * Sends a request and returns the decoded JSON body (null for an empty one). With `auth`, sends the access
     * token; on 401 it refreshes the session once and retries. Throws ApiError for any other status.
     */
    async request(path, options = {}) {
        return (await this.call(path, options)).body;
    }

    /**
     * Like `request`, with more: `headers` are sent too, and the answer is `{status, headers, body}`, so a caller
     * can read `ETag`, `Location` or a `202`. Network failures throw the browser's TypeError.
     */
    async call(path, { method = 'GET', body, auth = false, headers = {} } = {}) {
        const token = auth ? this.session?.accessToken : undefined;
        let response = await send(path, method, body, token, headers);
        if (response.status === 401 && token && (await this.#refresh(token))) {
            response = await send(path, method, body, this.session.accessToken, headers);
        }
        if (!response.ok) throw await errorFrom(response);
        const text = await response.text();
        return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
    }

    /** Logs in and stores the session; returns it. */
    async login(email, password) {
        const session = await this.request('/api/v1/auth/login', { method: 'POST', body: { email, password } });
        this.session = session;
        return session;
    }

    /** Revokes the refresh token (best effort) and forgets the session. */
    async logout() {
        const refreshToken = this.session?.refreshToken;
        this.session = null;
        if (refreshToken) {
            await this.request('/api/v1/auth/logout', { method: 'POST', body: { token: refreshToken } }).catch(() => {});
        }
    }

    // Refresh tokens are single-use, so requests failing together share one refresh; one that failed with a token
    // already replaced just retries with the new one.
    #refresh(staleToken) {
        const session = this.session;
        if (!session) return Promise.resolve(false);
        if (session.accessToken !== staleToken) return Promise.resolve(true);
        this.#refreshing ??= (async () => {
            try {
                const response = await send('/api/v1/auth/refresh', 'POST', { token: session.refreshToken });
                if (!response.ok) {
                    this.session = null;
                    return false;
                }
                this.session = await response.json();
                return true;
            } catch {
                return false;
            } finally {
                this.#refreshing = null;
            }
        })();
        return this.#refreshing;
    }
}

function send(path, method, body, token, extra = {}) {
    const headers = { Accept: 'application/json', ...extra };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    // What belongs to one person (or one guest cart) is never taken from the browser's cache.
    const personal = token || Object.keys(extra).length > 0;
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: personal ? 'no-store' : 'default' });
}

/** A random key for `Idempotency-Key`: 128 bits as hex (works outside secure contexts, unlike `randomUUID`). */
export function randomKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
