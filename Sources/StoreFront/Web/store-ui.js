// What every page of the web store shares: the session's client, messages, links, money and dates, form fields with
// the field errors a problem names, inline confirmations, and the card fields with Stripe's test numbers.
import { ApiError, Client, el, formatMoney, randomKey } from './api.js';

/** The store's API client; its session is the signed-in customer's. */
export const client = new Client('emporium.session');

const messages = document.getElementById('messages');
let flashed = null;

// MARK: - Messages

/** The sentence to show a person for an error: the problem's `detail`, or what went wrong on the way. */
export function errorText(error) {
    if (error instanceof TypeError) return `Could not reach the store (${error.message}). Check your connection and try again.`;
    return error?.message ?? String(error);
}

/** Shows an error above the page, announced at once. */
export function showError(error) {
    messages.replaceChildren(el('p', { id: 'error', class: 'error', role: 'alert' }, errorText(error)));
}

/** Shows good news above the page; `extra` may add links. */
export function showNotice(text, ...extra) {
    messages.replaceChildren(el('p', { id: 'notice', class: 'success', role: 'status' }, text, ...extra));
}

/** Clears the messages; a message kept with `flash` for the next page is shown now instead. */
export function clearMessages() {
    messages.replaceChildren();
    if (flashed) showNotice(flashed);
    flashed = null;
}

/** Keeps `text` to show on the next page the person goes to (after a redirect). */
export function flash(text) {
    flashed = text;
}

// MARK: - Links, money and dates

/** A hash URL: `href('/search', {q: 'kettle'})` → `#/search?q=kettle`; empty parameters are left out. */
export function href(path, params = {}) {
    const query = queryString(params);
    return `#${path}${query ? `?${query}` : ''}`;
}

/** URL query text for the non-empty `params`. */
export function queryString(params) {
    return new URLSearchParams(Object.entries(params).filter(([, value]) => value != null && value !== '')).toString();
}

export function productHref(id) {
    return href(`/product/${encodeURIComponent(id)}`);
}

export function orderHref(id) {
    return href(`/orders/${encodeURIComponent(id)}`);
}

/** Formats a Money value (`{minorUnits, currency}`) for the reader. */
export function money(value) {
    return value ? formatMoney(value.minorUnits, value.currency) : '—';
}

/** Whether a Money value is zero (or absent). */
export function isZero(value) {
    return !value || value.minorUnits === 0;
}

/** A date and time for the reader; the text as given when it is not a date. */
export function when(iso, options = { dateStyle: 'medium', timeStyle: 'short' }) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso ?? '') : new Intl.DateTimeFormat(undefined, options).format(date);
}

const statusWords = {
    pending: 'Being processed',
    rejected: 'Not enough stock',
    'payment-failed': 'Payment declined',
    confirmed: 'Confirmed',
    shipped: 'Shipped',
    delivered: 'Delivered',
    cancelled: 'Cancelled',
    returned: 'Returned',
};
const statusTones = { pending: 'warn', rejected: 'bad', 'payment-failed': 'bad', confirmed: 'ok', shipped: 'ok', delivered: 'ok', cancelled: 'muted', returned: 'muted' };

/** An order status as a badge. */
export function statusBadge(status) {
    return el('span', { class: `badge ${statusTones[status] ?? 'warn'}`, 'data-status': status }, statusWords[status] ?? status);
}

// MARK: - Forms

/**
 * A labelled field. An input with `data-field` (the member the API names, such as `postalCode` or `card.number`)
 * gets a slot for that member's error, filled by `showFieldErrors`.
 */
export function field(label, input, hint) {
    const error = input.dataset?.field ? el('p', { class: 'field-error', id: `${input.id}-error`, hidden: true }) : null;
    if (error) {
        input.setAttribute('aria-describedby', error.id);
        // What the person changes is no longer what the error was about.
        input.addEventListener('input', () => {
            error.hidden = true;
            input.removeAttribute('aria-invalid');
        });
    }
    return el('div', { class: 'field' }, el('label', { for: input.id }, label), input, hint && el('p', { class: 'hint' }, hint), error);
}

/** A text input; `field` is the API's name for it, for its errors. */
export function input(id, { field: name, type = 'text', value, ...attributes } = {}) {
    const node = el('input', { id, type, 'data-field': name, ...attributes });
    if (value != null) node.value = String(value);
    return node;
}

/** Removes the field errors shown in `form`. */
export function clearFieldErrors(form) {
    for (const slot of form.querySelectorAll('.field-error')) {
        slot.hidden = true;
        slot.textContent = '';
    }
    for (const node of form.querySelectorAll('[aria-invalid]')) node.removeAttribute('aria-invalid');
}

/**
 * Shows each of the problem's field errors next to its field in `form` (`prefix` is stripped from the problem's
 * field names: `shippingAddress.`). Returns whether there were field errors and every one found its field; when not,
 * the caller shows the problem's sentence.
 */
export function showFieldErrors(form, error, prefix = '') {
    let placed = 0;
    const errors = error instanceof ApiError ? error.fieldErrors : {};
    for (const [name, message] of Object.entries(errors)) {
        const key = name.startsWith(prefix) ? name.slice(prefix.length) : name;
        const target = form.querySelector(`[data-field="${CSS.escape(key)}"]`);
        const slot = target && form.querySelector(`#${CSS.escape(target.id)}-error`);
        if (!slot) continue;
        target.setAttribute('aria-invalid', 'true');
        slot.textContent = `${target.labels?.[0]?.textContent ?? key} ${message}.`;
        slot.hidden = false;
        placed += 1;
    }
    const first = form.querySelector('[aria-invalid="true"]');
    first?.focus();
    return placed > 0 && placed === Object.keys(errors).length;
}

/** A form's error shown inside it, above its button (a decline, a short line). */
export function formError(id) {
    return el('div', { id, class: 'form-error', role: 'alert', hidden: true });
}

/** Fills a form's error (text, elements; empty parts are left out), or hides it when given nothing. */
export function setFormError(node, ...content) {
    const parts = content.filter((part) => part != null && part !== false && part !== '');
    node.replaceChildren(...parts);
    node.hidden = parts.length === 0;
}

/**
 * A button that asks before it acts: a click shows `question` with a confirming button (`confirmId`) and a way
 * back; confirming runs `action`. What a person confirms must be visible on the page, not in a browser dialog.
 */
export function confirmingButton({ id, label, question, confirmId, confirmLabel, action, danger = true }) {
    const start = el('button', { type: 'button', id, class: danger ? 'secondary danger' : 'secondary' }, label);
    const yes = el('button', { type: 'button', id: confirmId, class: danger ? 'danger' : '' }, confirmLabel);
    const no = el('button', { type: 'button', class: 'secondary' }, 'Go back');
    const box = el('div', { class: 'confirm', role: 'group', 'aria-label': label, hidden: true }, el('p', {}, question), el('div', { class: 'actions' }, yes, no));
    start.addEventListener('click', () => {
        box.hidden = false;
        start.hidden = true;
        yes.focus();
    });
    no.addEventListener('click', () => {
        box.hidden = true;
        start.hidden = false;
        start.focus();
    });
    yes.addEventListener('click', async () => {
        yes.disabled = no.disabled = true;
        try {
            await action();
        } finally {
            yes.disabled = no.disabled = false;
        }
    });
    return el('div', { class: 'confirming' }, start, box);
}

// MARK: - Cards

/** Stripe's test numbers, as Payments' simulated card network treats them (any future expiry, any 3-digit CVC). */
export const testCards = [
    ['4242 4242 4242 4242', 'Succeeds'],
    ['4000 0000 0000 0002', 'Declined (card_declined)'],
    ['4000 0000 0000 9995', 'Declined: insufficient funds (insufficient_funds)'],
    ['4000 0000 0000 9987', 'Declined: lost card (lost_card)'],
    ['4000 0000 0000 9979', 'Declined: stolen card (stolen_card)'],
    ['4000 0000 0000 0069', 'Declined: expired card (expired_card)'],
    ['4000 0000 0000 0127', 'Declined: incorrect CVC (incorrect_cvc)'],
    ['4000 0000 0000 0119', 'Processing error (processing_error), tried again'],
    ['4000 0000 0000 5126', 'Succeeds, but refunds to it fail'],
    ['Any other number passing the Luhn check', 'Succeeds'],
];

/** The test numbers as a table a person can copy from; `open` shows it at once. */
export function testCardsTable({ open = true } = {}) {
    return el(
        'details',
        { class: 'test-cards', open },
        el('summary', {}, 'Test cards: this shop takes no real payments'),
        el('p', { class: 'hint' }, 'Use any expiry date in the future and any three-digit CVC.'),
        el(
            'table',
            {},
            el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Card number'), el('th', { scope: 'col' }, 'What happens'))),
            el('tbody', {}, testCards.map(([number, result]) => el('tr', {}, el('td', {}, /^\d/.test(number) ? el('code', {}, number) : number), el('td', {}, result)))),
        ),
    );
}

/**
 * Card fields (`card.number`, `card.expMonth`, `card.expYear`, `card.cvc` for their errors) under `prefix` ids.
 * `value()` is the card as the API takes it.
 */
export function cardFields(prefix) {
    const number = input(`${prefix}-card-number`, { field: 'card.number', inputmode: 'numeric', autocomplete: 'cc-number', required: true, placeholder: '4242 4242 4242 4242' });
    const month = input(`${prefix}-card-exp-month`, { field: 'card.expMonth', inputmode: 'numeric', autocomplete: 'cc-exp-month', required: true, placeholder: 'MM', maxlength: 2, size: 3 });
    const year = input(`${prefix}-card-exp-year`, { field: 'card.expYear', inputmode: 'numeric', autocomplete: 'cc-exp-year', required: true, placeholder: 'YYYY', maxlength: 4, size: 5 });
    const cvc = input(`${prefix}-card-cvc`, { field: 'card.cvc', inputmode: 'numeric', autocomplete: 'cc-csc', required: true, placeholder: '123', maxlength: 4, size: 5 });
    const node = el(
        'div',
        { class: 'card-fields' },
        field('Card number', number),
        el('div', { class: 'row' }, field('Expiry month', month), field('Expiry year', year), field('CVC', cvc)),
    );
    const value = () => ({
        number: number.value.replace(/[\s-]/g, ''),
        expMonth: Number.parseInt(month.value, 10) || 0,
        expYear: Number.parseInt(year.value.length === 2 ? `20${year.value}` : year.value, 10) || 0,
        cvc: cvc.value.trim(),
    });
    return { node, value };
}

/**
 * Keeps one `Idempotency-Key` per request body until the server answers: pressing again after a network failure
 * sends the same key (so nothing is bought or charged twice), a changed form or any answer starts a new one.
 */
export class IdempotentSubmission {
    #pending = null;

    /** The key for `body`: the pending one when the body is the same. */
    keyFor(body) {
        const text = JSON.stringify(body);
        if (this.#pending?.text !== text) this.#pending = { text, key: randomKey() };
        return this.#pending.key;
    }

    /** The server answered (whatever it said): the next submission is a new request. */
    answered() {
        this.#pending = null;
    }
}

// MARK: - Addresses

/** Some countries for the address forms, by name in the reader's language; Germany first, as the shop's home. */
const countryCodes = ['DE', 'AT', 'BE', 'CH', 'CZ', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'LU', 'NL', 'NO', 'PL', 'PT', 'SE', 'US'];

export function countrySelect(id, selected = 'DE') {
    let names = null;
    try {
        names = new Intl.DisplayNames(undefined, { type: 'region' });
    } catch {
        // Codes alone, then.
    }
    const options = countryCodes.map((code) => [code, names?.of(code) ?? code]);
    const [home, ...rest] = options;
    rest.sort((a, b) => a[1].localeCompare(b[1]));
    return el('select', { id, 'data-field': 'country' }, [home, ...rest].map(([code, name]) => el('option', { value: code, selected: code === selected }, name)));
}

/**
 * The fields of an address (the API's members as `data-field`), under `prefix` ids; `value()` is the address as the
 * API takes it.
 */
export function addressFields(prefix, address = {}) {
    const fields = {
        name: input(`${prefix}-name`, { field: 'name', autocomplete: 'name', required: true, value: address.name }),
        line1: input(`${prefix}-line1`, { field: 'line1', autocomplete: 'address-line1', required: true, value: address.line1 }),
        line2: input(`${prefix}-line2`, { field: 'line2', autocomplete: 'address-line2', value: address.line2 }),
        postalCode: input(`${prefix}-postal-code`, { field: 'postalCode', autocomplete: 'postal-code', required: true, value: address.postalCode, size: 10 }),
        city: input(`${prefix}-city`, { field: 'city', autocomplete: 'address-level2', required: true, value: address.city }),
        country: countrySelect(`${prefix}-country`, address.country ?? 'DE'),
        phone: input(`${prefix}-phone`, { field: 'phone', type: 'tel', autocomplete: 'tel', value: address.phone }),
    };
    const node = el(
        'div',
        { class: 'address-fields' },
        field('Full name', fields.name),
        field('Street and number', fields.line1),
        field('Apartment, floor, c/o (optional)', fields.line2),
        el('div', { class: 'row' }, field('Postal code', fields.postalCode), field('City', fields.city)),
        field('Country', fields.country),
        field('Phone (optional)', fields.phone, 'For the carrier, such as +49 30 1234567.'),
    );
    const value = () => {
        const address = {
            name: fields.name.value,
            line1: fields.line1.value,
            city: fields.city.value,
            postalCode: fields.postalCode.value,
            country: fields.country.value,
        };
        if (fields.line2.value.trim()) address.line2 = fields.line2.value;
        if (fields.phone.value.trim()) address.phone = fields.phone.value;
        return address;
    };
    return { node, value, fields };
}

/** An address as lines of text. */
export function addressLines(address) {
    return el(
        'address',
        {},
        [address.name, address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country, address.phone]
            .filter(Boolean)
            .flatMap((line, index) => (index ? [el('br'), line] : [line])),
    );
}
