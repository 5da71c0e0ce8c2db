// The operations dashboard: an admin logs in, then the page polls the /admin endpoints every two seconds and
// redraws services, traffic, outboxes, dead letters and recent traces, and, a little less often, the shop: orders by
// state, the checkout sagas in flight, compensations, stock per warehouse, payments and refunds, and the audit.
import { ApiError, Client, el, formatMoney, randomKey, svg } from './api.js';

const client = new Client('emporium.admin-session');
const app = document.getElementById('app');
const messages = document.getElementById('messages');
const POLL_MS = 2000;
const HISTORY = 60;
const STOCK_PAGE = 25;
// What each poll reads: a path (or a function making one) and every how many polls (the shop's views change less
// often than the traffic; the audit reads every order, so it runs every half minute or on demand).
const sources = {
    services: { path: '/admin/services' },
    stats: { path: '/admin/stats' },
    outbox: { path: '/admin/outbox' },
    deadLetters: { path: '/admin/dead-letters?limit=50' },
    traces: { path: '/admin/traces?limit=20' },
    orders: { path: '/api/v1/admin/orders/summary', every: 2 },
    sagas: { path: '/api/v1/admin/sagas', every: 2 },
    cancelled: { path: '/api/v1/admin/orders?status=cancelled&limit=10', every: 5 },
    declined: { path: '/api/v1/admin/orders?status=payment-failed&limit=10', every: 5 },
    stock: { path: () => stockPath(), every: 5 },
    payments: { path: '/api/v1/admin/payments?limit=15', every: 5 },
    audit: { path: '/api/v1/admin/audit', every: 15 },
};

let timer = null;
let generation = 0;
let ticks = 0;
let previousStats = null;
// The stock list: only the low products, or every product a page at a time.
const stockList = { all: false, cursors: [null], next: null };
// The last answers of the shop's sources, kept between the polls that do not read them.
const latest = {};
const rateHistory = [];
const openTraces = new Set();
// What each section last drew: unchanged data is not redrawn, so focus and scroll positions survive a poll.
const drawn = new Map();

// MARK: - Helpers

function showError(error) {
    messages.replaceChildren(el('p', { id: 'error', class: 'error', role: 'alert' }, error.message ?? String(error)));
}

function number(value, digits = 0) {
    return value == null || Number.isNaN(value) ? '—' : value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function time(iso, options) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso ?? '') : date.toLocaleString(undefined, options);
}

function badge(text, tone) {
    return el('span', { class: `badge ${tone}` }, text);
}

const tones = { healthy: 'ok', closed: 'ok', ready: 'ok', draining: 'warn', 'half-open': 'warn', unhealthy: 'bad', open: 'bad', unavailable: 'bad' };

function table(headers, rows, empty) {
    if (rows.length === 0) return el('p', { class: 'muted' }, empty);
    return el(
        'table',
        {},
        el('thead', {}, el('tr', {}, headers.map(([label, numeric]) => el('th', { scope: 'col', class: numeric && 'num' }, label)))),
        el('tbody', {}, rows),
    );
}

function money(value) {
    return value ? formatMoney(value.minorUnits, value.currency) : '—';
}

/** How long ago `iso` was, roughly: `12 s`, `4 min`, `3 h`. */
function ago(iso) {
    const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (Number.isNaN(seconds)) return '';
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    return `${Math.round(seconds / 3600)} h ago`;
}

/**
 * A `traceparent` whose sampled flag is off: the dashboard's own reads of traced routes are not recorded, so polling
 * does not push the interesting traces out of the store.
 */
function untraced() {
    return { traceparent: `00-${randomKey()}-${randomKey().slice(0, 16)}-00` };
}

function hueOf(text) {
    let hue = 0;
    for (const char of String(text)) hue = (hue * 31 + char.codePointAt(0)) % 360;
    return String(hue);
}

// MARK: - Login

function showLogin(message) {
    stopPolling();
    document.getElementById('who').textContent = '';
    document.getElementById('logout').hidden = true;
    const email = el('input', { id: 'login-email', type: 'email', autocomplete: 'username', required: true });
    const password = el('input', { id: 'login-password', type: 'password', autocomplete: 'current-password', required: true });
    const button = el('button', { type: 'submit' }, 'Log in');
    const submit = async (event) => {
        event.preventDefault();
        button.disabled = true;
        messages.replaceChildren();
        try {
            const session = await client.request('/api/v1/auth/login', { method: 'POST', body: { email: email.value, password: password.value } });
            if (session.user?.role !== 'admin') {
                await client.request('/api/v1/auth/logout', { method: 'POST', body: { token: session.refreshToken } }).catch(() => {});
                throw new Error('This account is not an administrator: the dashboard needs the admin role.');
            }
            client.session = session;
            showDashboard();
        } catch (error) {
            showError(error);
        } finally {
            button.disabled = false;
        }
    };
    app.replaceChildren(
        el(
            'form',
            { id: 'login-form', class: 'card auth-form login-page', onsubmit: submit },
            el('h1', {}, 'Operations login'),
            el('p', { class: 'muted' }, 'Sign in with an administrator account.'),
            el('div', { class: 'field' }, el('label', { for: email.id }, 'Email'), email),
            el('div', { class: 'field' }, el('label', { for: password.id }, 'Password'), password),
            button,
        ),
    );
    if (message) showError(new Error(message));
}

// MARK: - Dashboard

function section(id, title, extra) {
    return el('section', { class: 'card', 'aria-labelledby': `${id}-title` }, el('h2', { id: `${id}-title` }, title, extra), el('div', { id: `${id}-body` }));
}

function showDashboard() {
    const session = client.session;
    document.getElementById('who').textContent = session.user.email;
    document.getElementById('logout').hidden = false;
    messages.replaceChildren();
    drawn.clear();
    previousStats = null;
    rateHistory.length = 0;
    const deadLetters = section('dead-letters', 'Dead letters');
    deadLetters.addEventListener('click', replay);
    const stock = section('stock', 'Stock per warehouse', stockControls());
    const runAudit = el('button', { type: 'button', id: 'run-audit', class: 'secondary small' }, 'Run now');
    runAudit.addEventListener('click', () => refresh('audit', runAudit));
    app.replaceChildren(
        el('div', { id: 'overview', class: 'tiles', 'aria-live': 'off' }),
        section('orders', 'Orders by state'),
        el('div', { class: 'grid-even' }, section('sagas', 'Sagas in flight'), section('compensations', 'Compensations')),
        el('div', { class: 'grid-even' }, stock, section('payments', 'Payments and refunds')),
        section('audit', 'Audit', el('span', { class: 'muted' }, ' — orders, payments and stock checked against each other '), runAudit),
        section('services', 'Services'),
        section('routes', 'Routes'),
        el('div', { class: 'grid-2' }, section('outbox', 'Outbox backlog'), deadLetters),
        section('traces', 'Recent traces', el('span', { class: 'muted' }, ' — click one to see its spans')),
        el('p', { id: 'updated', class: 'muted', 'aria-live': 'polite' }),
    );
    startPolling();
}

function startPolling() {
    stopPolling();
    ticks = 0;
    for (const name of Object.keys(latest)) delete latest[name];
    const mine = ++generation;
    const tick = async () => {
        await poll(mine);
        if (mine === generation) timer = setTimeout(tick, POLL_MS);
    };
    tick();
}

function stopPolling() {
    generation++;
    clearTimeout(timer);
}

function read(name) {
    const source = sources[name];
    const path = typeof source.path === 'function' ? source.path() : source.path;
    return client.request(path, { auth: true, headers: path.startsWith('/api/') ? untraced() : {} });
}

async function poll(mine) {
    const tick = ticks++;
    const names = Object.keys(sources).filter((name) => tick % (sources[name].every ?? 1) === 0);
    const [ready, ...results] = await Promise.allSettled([readiness(), ...names.map(read)]);
    if (mine !== generation) return;
    const failures = results.filter((result) => result.status === 'rejected').map((result) => result.reason);
    const denied = failures.find((error) => error instanceof ApiError && (error.status === 401 || error.status === 403));
    if (denied) {
        client.session = null;
        showLogin(denied.status === 401 ? 'Your session has ended: log in again.' : denied.message);
        return;
    }
    const data = Object.fromEntries(names.map((name, index) => [name, results[index].value]));
    drawReady(ready.status === 'fulfilled' ? ready.value : null);
    if (data.stats) drawStats(data.stats);
    if (data.services) update('services', data.services.services, drawServices);
    if (data.stats) update('routes', data.stats.routes, drawRoutes);
    if (data.outbox) update('outbox', data.outbox.outboxes, drawOutbox);
    if (data.deadLetters) update('dead-letters', data.deadLetters.deadLetters, drawDeadLetters);
    if (data.traces) update('traces', data.traces.traces, drawTraces);
    drawShop(data);
    if (failures.length > 0) showError(failures[0]);
    else if (messages.querySelector('#error')) messages.replaceChildren();
    document.getElementById('updated').textContent = `Updated ${new Date().toLocaleTimeString()} · every ${POLL_MS / 1000} s`;
}

/** Reads one source now (a button asked) and redraws what it feeds. */
async function refresh(name, button) {
    if (button) button.disabled = true;
    try {
        drawShop({ [name]: await read(name) });
    } catch (error) {
        showError(error);
    } finally {
        if (button) button.disabled = false;
    }
}

/** Redraws the shop's sections from the answers in `data`, with the last answers of the sources not read now. */
function drawShop(data) {
    for (const [name, value] of Object.entries(data)) if (value !== undefined) latest[name] = value;
    if (data.orders) update('orders', data.orders, drawOrders);
    if (data.sagas) update('sagas', data.sagas.sagas, drawSagas);
    if (data.sagas || data.cancelled || data.declined) {
        update('compensations', { sagas: latest.sagas?.sagas ?? [], ended: [...(latest.cancelled?.items ?? []), ...(latest.declined?.items ?? [])] }, drawCompensations);
    }
    if (data.stock) {
        stockList.next = data.stock.nextCursor ?? null;
        update('stock', data.stock.items, drawStock);
        drawStockControls();
    }
    if (data.payments) update('payments', data.payments.items, drawPayments);
    if (data.audit) update('audit', data.audit, drawAudit);
}

function update(id, data, draw) {
    const json = JSON.stringify(data ?? []);
    if (drawn.get(id) === json) return;
    drawn.set(id, json);
    document.getElementById(`${id}-body`).replaceChildren(draw(data ?? []));
}

// /ready answers 503 with the same body when something is not ready, so any JSON body is an answer.
async function readiness() {
    const response = await fetch('/ready', { headers: { Accept: 'application/json' } });
    return response.json();
}

function drawReady(ready) {
    const status = ready?.status ?? 'unreachable';
    const missing = ready?.unavailable?.length ? ` (${ready.unavailable.join(', ')})` : '';
    document.getElementById('ready-status').replaceChildren(el('a', { href: '/ready' }, 'Ready: '), badge(status + missing, tones[status] ?? 'bad'));
}

// MARK: - Traffic

function drawStats(stats) {
    let rate = null;
    let errorRate = null;
    // Counters run from the server's start: rates come from the difference between two polls.
    if (previousStats && stats.uptimeSeconds > previousStats.uptimeSeconds) {
        const seconds = stats.uptimeSeconds - previousStats.uptimeSeconds;
        const requests = stats.requests - previousStats.requests;
        const errors = stats.clientErrors + stats.serverErrors - previousStats.clientErrors - previousStats.serverErrors;
        rate = requests / seconds;
        errorRate = requests > 0 ? (100 * errors) / requests : 0;
        rateHistory.push(rate);
        if (rateHistory.length > HISTORY) rateHistory.shift();
    } else if (previousStats) {
        rateHistory.length = 0;
    }
    const newlyLimited = previousStats ? stats.rateLimited - previousStats.rateLimited : 0;
    previousStats = stats;
    const lookups = stats.cacheHits + stats.cacheMisses;
    const tile = (label, value, detail, extra) =>
        el('div', { class: 'tile' }, el('div', { class: 'label' }, label), el('div', { class: 'value' }, value), extra, detail && el('div', { class: 'label' }, detail));
    document.getElementById('overview').replaceChildren(
        tile('Requests / s', number(rate, 1), `${number(stats.requests)} since start`, sparkline()),
        tile('Error rate', errorRate == null ? '—' : `${number(errorRate, 1)} %`, `${number(stats.clientErrors)} 4xx · ${number(stats.serverErrors)} 5xx`),
        tile('Rate limited', number(stats.rateLimited), `+${number(newlyLimited)} since last poll`),
        tile('Cache hits', number(stats.cacheHits), lookups ? `${number((100 * stats.cacheHits) / lookups, 1)} % of lookups` : 'no lookups yet'),
        tile('Uptime', formatDuration(stats.uptimeSeconds)),
    );
}

function formatDuration(seconds) {
    const s = Math.floor(seconds ?? 0);
    const parts = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']];
    return parts.filter(([value], index) => value > 0 || index === 3).map(([value, unit]) => `${value}${unit}`).join(' ');
}

function sparkline() {
    if (rateHistory.length < 2) return null;
    const max = Math.max(...rateHistory, 1);
    const points = rateHistory.map((value, index) => `${index},${(100 - (95 * value) / max).toFixed(1)}`).join(' ');
    return svg(
        'svg',
        { class: 'sparkline', viewBox: `0 0 ${rateHistory.length - 1} 100`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Request rate over the last two minutes' },
        svg('polyline', { points }),
    );
}

function drawRoutes(routes) {
    const rows = [...routes]
        .sort((a, b) => b.requests - a.requests)
        .map((route) =>
            el(
                'tr',
                {},
                el('td', {}, el('code', {}, route.route)),
                el('td', { class: 'num' }, number(route.requests)),
                el('td', { class: 'num' }, number(route.errors)),
                el('td', { class: 'num' }, number(route.p50Ms, 2)),
                el('td', { class: 'num' }, number(route.p99Ms, 2)),
            ),
        );
    return table([['Route'], ['Requests', true], ['Errors', true], ['p50 ms', true], ['p99 ms', true]], rows, 'No requests yet.');
}

// MARK: - Services and messaging

function drawServices(services) {
    const topics = (list) => (list?.length ? el('ul', { class: 'topics' }, list.map((topic) => el('li', {}, topic))) : el('span', { class: 'muted' }, '—'));
    const rows = services.map((service) =>
        el(
            'tr',
            {},
            el('th', { scope: 'row' }, service.name),
            el(
                'td',
                {},
                service.instances.map((instance) =>
                    el(
                        'div',
                        { title: instance.endpoints?.join('\n') ?? '' },
                        badge(instance.health, tones[instance.health] ?? 'warn'),
                        ` ${instance.id} `,
                        el('span', { class: 'muted' }, `v${instance.version} · ${number(instance.secondsSinceHeartbeat, 1)} s ago`),
                        instance.down ? [' ', badge('failing every call', 'bad')] : [],
                        instance.ejection
                            ? [
                                  ' ',
                                  badge('ejected', 'bad'),
                                  el('span', { class: 'muted' }, ` back in ${number(instance.ejection.secondsLeft, 0)} s (ejection ${instance.ejection.count})`),
                              ]
                            : [],
                    ),
                ),
            ),
            el(
                'td',
                {},
                service.breaker
                    ? [badge(service.breaker.state, tones[service.breaker.state] ?? 'warn'), el('div', { class: 'muted' }, service.breaker.failureRate == null ? `${number(service.breaker.calls)} calls` : `${number(service.breaker.failureRate, 1)} % of ${number(service.breaker.calls)} calls failed`)]
                    : el('span', { class: 'muted' }, 'none'),
            ),
            el('td', {}, topics(service.publishes)),
            el('td', {}, topics(service.consumes)),
        ),
    );
    return table([['Service'], ['Instances'], ['Circuit breaker'], ['Publishes'], ['Consumes']], rows, 'No services registered.');
}

// One row per outbox and consumer group: each group reads the outbox on its own cursor.
function drawOutbox(outboxes) {
    const rows = outboxes.flatMap((outbox) =>
        (outbox.groups || []).map((group) =>
            el(
                'tr',
                {},
                el('td', {}, outbox.module),
                el('td', {}, group.group),
                el('td', { class: 'num' }, badge(number(group.backlog), group.backlog > 0 ? 'warn' : 'ok')),
                el('td', { class: 'num' }, number(group.relayed)),
            ),
        ),
    );
    return table([['Module'], ['Group'], ['Backlog', true], ['Relayed', true]], rows, 'No outboxes.');
}

function drawDeadLetters(letters) {
    const rows = letters.map((letter) =>
        el(
            'tr',
            {},
            el('td', {}, el('code', { title: letter.eventId }, letter.eventId.slice(0, 8)), el('div', { class: 'muted' }, letter.type)),
            el('td', {}, letter.group),
            el('td', {}, letter.error),
            el('td', { class: 'num' }, number(letter.attempts)),
            el('td', {}, time(letter.failedAt)),
            el('td', {}, el('button', { type: 'button', class: 'secondary', 'data-event-id': letter.eventId, 'data-group': letter.group }, 'Replay')),
        ),
    );
    return table([['Event'], ['Group'], ['Error'], ['Attempts', true], ['Failed at'], ['']], rows, 'No dead letters.');
}

async function replay(event) {
    const button = event.target.closest('button[data-event-id]');
    if (!button) return;
    const { eventId, group } = button.dataset;
    button.disabled = true;
    try {
        await client.request(`/admin/dead-letters/${encodeURIComponent(eventId)}/replay?group=${encodeURIComponent(group)}`, { method: 'POST', auth: true });
        button.textContent = 'Replayed';
        document.getElementById('updated').textContent = `Replayed event ${eventId} for ${group}.`;
    } catch (error) {
        button.disabled = false;
        showError(error);
    }
}

// MARK: - The shop

const orderTones = { pending: 'warn', rejected: 'bad', 'payment-failed': 'bad', confirmed: 'ok', shipped: 'ok', delivered: 'ok', cancelled: 'warn', returned: 'warn' };

function drawOrders(summary) {
    return el(
        'div',
        { class: 'tiles', id: 'order-states' },
        el('div', { class: 'tile' }, el('div', { class: 'label' }, 'All orders'), el('div', { class: 'value' }, number(summary.total))),
        summary.byStatus.map((entry) =>
            el(
                'div',
                { class: `tile status-${orderTones[entry.status] ?? 'warn'}`, 'data-status': entry.status },
                el('div', { class: 'label' }, entry.status),
                el('div', { class: 'value' }, number(entry.count)),
            ),
        ),
    );
}

const phaseWords = {
    reserving: 'reserving stock',
    extending: 'extending the hold',
    authorizing: 'authorising the card',
    'clearing-cart': 'clearing the cart',
    capturing: 'capturing the payment',
    fulfilling: 'asking the warehouse',
    voiding: 'voiding the payment',
    refunding: 'refunding the payment',
    releasing: 'releasing the stock',
};

function drawSagas(sagas) {
    const rows = sagas.map((saga) =>
        el(
            'tr',
            { 'data-order-id': saga.orderId },
            el('td', {}, el('strong', {}, saga.number), el('div', { class: 'muted' }, el('code', {}, saga.orderId))),
            el('td', {}, badge(saga.status, orderTones[saga.status] ?? 'warn')),
            el(
                'td',
                {},
                saga.compensating ? badge(`compensating → ${saga.compensatingTo ?? '?'}`, 'bad') : null,
                ' ',
                phaseWords[saga.phase] ?? saga.phase,
                saga.attempts > 0 && el('div', { class: 'muted' }, `${saga.attempts} unanswered ${saga.attempts === 1 ? 'call' : 'calls'}`),
            ),
            el('td', {}, saga.lastStep ? [saga.lastStep.step, saga.lastStep.detail && el('div', { class: 'muted' }, saga.lastStep.detail)] : '—'),
            el('td', {}, ago(saga.since)),
        ),
    );
    return table([['Order'], ['Status'], ['Current step'], ['Last step'], ['Running']], rows, 'No saga in flight: every checkout has settled.');
}

function drawCompensations({ sagas, ended }) {
    const running = sagas.filter((saga) => saga.compensating);
    const recent = [...ended].sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt))).slice(0, 12);
    const reason = (order) => {
        const failed = order.timeline?.findLast((entry) => entry.outcome === 'failed');
        if (failed) return failed.detail ?? failed.step;
        return order.timeline?.some((entry) => entry.step === 'cancel-requested') ? 'Cancelled by the customer.' : '';
    };
    const undone = (order) => {
        const payment = order.payment;
        if (!payment) return 'nothing charged';
        if (payment.refunded && payment.refunded.minorUnits > 0) return `refunded ${money(payment.refunded)}`;
        if (payment.status === 'canceled') return 'authorisation voided';
        return order.status === 'payment-failed' ? 'nothing charged' : payment.status;
    };
    const rows = [
        ...running.map((saga) =>
            el(
                'tr',
                { class: 'compensating', 'data-order-id': saga.orderId },
                el('td', {}, el('strong', {}, saga.number), el('div', { class: 'muted' }, ago(saga.updatedAt))),
                el('td', {}, badge('compensating', 'bad')),
                el('td', {}, saga.lastStep?.detail ?? '—'),
                el('td', {}, phaseWords[saga.phase] ?? saga.phase),
            ),
        ),
        ...recent.map((order) =>
            el(
                'tr',
                { 'data-order-id': order.id },
                el('td', {}, el('strong', {}, order.number), el('div', { class: 'muted' }, ago(order.updatedAt))),
                el('td', {}, badge(order.status, orderTones[order.status] ?? 'warn')),
                el('td', {}, reason(order)),
                el('td', {}, undone(order)),
            ),
        ),
    ];
    return table([['Order'], ['Status'], ['Why'], ['Money']], rows, 'No order was cancelled or declined yet.');
}

function stockPath() {
    const cursor = stockList.cursors.at(-1);
    return `/api/v1/admin/inventory?limit=${STOCK_PAGE}${stockList.all ? '' : '&low=true'}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
}

function stockControls() {
    const all = el('input', { type: 'checkbox', id: 'stock-all' });
    const previous = el('button', { type: 'button', id: 'stock-previous', class: 'secondary small' }, '←');
    const next = el('button', { type: 'button', id: 'stock-next', class: 'secondary small' }, '→');
    all.addEventListener('change', () => {
        stockList.all = all.checked;
        stockList.cursors = [null];
        refresh('stock');
    });
    previous.addEventListener('click', () => {
        if (stockList.cursors.length > 1) stockList.cursors.pop();
        refresh('stock');
    });
    next.addEventListener('click', () => {
        if (stockList.next) stockList.cursors.push(stockList.next);
        refresh('stock');
    });
    return el('span', { class: 'controls' }, el('label', { class: 'muted' }, all, ' every product'), previous, next);
}

function drawStockControls() {
    document.getElementById('stock-previous').disabled = stockList.cursors.length === 1;
    document.getElementById('stock-next').disabled = !stockList.next;
}

function drawStock(items) {
    const warehouses = items[0]?.warehouses.map((level) => level.warehouse) ?? [];
    const rows = items.map((item) =>
        el(
            'tr',
            { class: item.low ? 'low' : '', 'data-product-id': item.productId },
            el('td', {}, el('code', {}, item.productId)),
            item.warehouses.map((level) =>
                el(
                    'td',
                    { class: item.lowWarehouses.includes(level.warehouse) ? 'num low-cell' : 'num', title: `on hand ${level.onHand} · reserved ${level.reserved} · incoming ${level.incoming}` },
                    number(level.available),
                    level.reserved > 0 && el('span', { class: 'muted' }, ` (${number(level.reserved)} held)`),
                    level.incoming > 0 && el('span', { class: 'muted' }, ` +${number(level.incoming)}`),
                ),
            ),
            el('td', { class: 'num' }, number(item.lowStockThreshold)),
            el('td', {}, badge(item.status, item.status === 'in-stock' ? 'ok' : item.status === 'low-stock' ? 'warn' : 'bad')),
        ),
    );
    const empty = stockList.all ? 'No product is stocked.' : 'No product is low on stock.';
    return table([['Product'], ...warehouses.map((warehouse) => [`${warehouse} available`, true]), ['Threshold', true], ['Status']], rows, empty);
}

const paymentTones = { requires_capture: 'warn', succeeded: 'ok', canceled: 'warn', requires_payment_method: 'bad' };
const paymentWords = { requires_payment_method: 'not paid', requires_capture: 'authorised', succeeded: 'captured', canceled: 'voided' };

function drawPayments(payments) {
    const rows = payments.map((payment) => {
        const refunds = payment.refunds ?? [];
        const last = refunds.at(-1);
        const paid = payment.orderId ? `order ${payment.orderId.slice(0, 10)}…` : payment.subscriptionId ? 'membership' : '';
        return el(
            'tr',
            { 'data-payment-id': payment.id },
            el(
                'td',
                {},
                el('code', { title: payment.id }, `${payment.id.slice(0, 12)}…`),
                el('div', { class: 'muted' }, paid),
                payment.card && el('div', { class: 'muted' }, `${payment.card.brand} ${payment.card.last4}`),
            ),
            el(
                'td',
                {},
                el('span', { title: payment.status }, badge(paymentWords[payment.status] ?? payment.status, paymentTones[payment.status] ?? 'warn')),
                payment.lastDecline && el('div', { class: 'muted' }, payment.lastDecline.code),
            ),
            el('td', { class: 'num' }, money(payment.amount)),
            el('td', { class: 'num' }, money(payment.amountCaptured)),
            el(
                'td',
                { class: 'num' },
                money(payment.amountRefunded),
                last && el('div', { class: 'muted' }, `${refunds.length} ${refunds.length === 1 ? 'refund' : 'refunds'}, ${last.status}`),
            ),
        );
    });
    return table([['Payment'], ['Status'], ['Amount', true], ['Captured', true], ['Refunded', true]], rows, 'No payments yet.');
}

function drawAudit(report) {
    const clean = report.violations.length === 0;
    return el(
        'div',
        { id: 'audit-report' },
        el(
            'p',
            {},
            badge(clean ? 'clean' : `${report.violations.length} ${report.violations.length === 1 ? 'violation' : 'violations'}`, clean ? 'ok' : 'bad'),
            ` ${number(report.orders)} orders, ${number(report.payments)} payments and ${number(report.reservations)} reservations checked ${time(report.checkedAt, { timeStyle: 'medium' })}.`,
        ),
        !clean &&
            table(
                [['Check'], ['Order'], ['What is wrong']],
                report.violations.map((violation) => el('tr', {}, el('td', {}, badge(violation.check, 'bad')), el('td', {}, el('code', {}, violation.orderId ?? '—')), el('td', {}, violation.detail))),
                '',
            ),
    );
}

// MARK: - Traces

function drawTraces(traces) {
    if (traces.length === 0) return el('p', { class: 'muted' }, 'No traces yet.');
    return el(
        'div',
        {},
        traces.map((trace) => {
            const details = el(
                'details',
                { class: trace.error ? 'trace failed' : 'trace', open: openTraces.has(trace.traceId), 'data-trace-id': trace.traceId },
                el(
                    'summary',
                    {},
                    el('span', { class: 'root' }, trace.root),
                    el('span', {}, `${number(trace.durationMs, 2)} ms`),
                    el('span', { class: 'muted' }, `${trace.spans.length} spans · ${time(trace.startTime, { timeStyle: 'medium' })}`),
                    trace.error && badge('error', 'bad'),
                    el('code', { class: 'muted' }, trace.traceId),
                ),
                timeline(trace),
            );
            details.addEventListener('toggle', () => (details.open ? openTraces.add(trace.traceId) : openTraces.delete(trace.traceId)));
            return details;
        }),
    );
}

/** One row per span in tree order: a bar placed by its start offset and sized by its duration within the trace. */
function timeline(trace) {
    const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
    const children = new Map();
    for (const span of trace.spans) {
        const parent = byId.has(span.parentSpanId) ? span.parentSpanId : null;
        children.set(parent, [...(children.get(parent) ?? []), span]);
    }
    const ordered = [];
    const visit = (parent, depth) => {
        const spans = (children.get(parent) ?? []).sort((a, b) => a.startOffsetMs - b.startOffsetMs);
        for (const span of spans) {
            ordered.push([span, depth]);
            if (depth < 32) visit(span.spanId, depth + 1);
        }
    };
    visit(null, 0);
    const total = Math.max(trace.durationMs, ...trace.spans.map((span) => span.startOffsetMs + span.durationMs), 0.001);
    const percent = (value) => `${Math.min(100, Math.max(0, (100 * value) / total)).toFixed(2)}%`;
    return el(
        'div',
        { class: 'timeline', role: 'list' },
        ordered.map(([span, depth]) => {
            const label = el('div', { class: 'span-label', title: `${span.service} · ${span.kind}` }, el('span', { class: 'muted' }, `${span.service} `), span.name);
            label.style.setProperty('--depth', String(depth));
            const bar = el('div', { class: span.error ? 'span-bar failed' : 'span-bar' });
            bar.style.setProperty('--left', percent(span.startOffsetMs));
            bar.style.setProperty('--width', percent(span.durationMs));
            bar.style.setProperty('--hue', hueOf(span.service));
            const offsets = el('span', { class: 'span-time' }, `+${number(span.startOffsetMs, 2)} · ${number(span.durationMs, 2)} ms`);
            return el('div', { role: 'listitem', class: 'span-row' }, label, el('div', { class: 'span-track' }, bar), offsets);
        }),
    );
}

// MARK: - Start

document.getElementById('logout').addEventListener('click', async () => {
    stopPolling();
    await client.logout();
    showLogin();
});

if (client.session?.user?.role === 'admin') showDashboard();
else showLogin();
