// The cart and the checkout. A guest's cart is named by the token the shop sends in `X-Cart-Token` on the first
// addition, kept in localStorage and sent back; a signed-in customer's cart is theirs, and a guest cart is merged
// into it at login. Changes send the cart's ETag as `If-Match`, so a change made elsewhere meanwhile is noticed.
import { ApiError, el } from './api.js';
import {
    IdempotentSubmission,
    addressFields,
    addressLines,
    cardFields,
    clearFieldErrors,
    client,
    errorText,
    flash,
    formError,
    href,
    isZero,
    money,
    orderHref,
    productHref,
    setFormError,
    showError,
    showFieldErrors,
    showNotice,
    statusBadge,
    testCardsTable,
} from './store-ui.js';

const TOKEN_KEY = 'emporium.cart-token';
const cartState = { etag: null, count: 0 };
const listeners = new Set();

/** Calls `listener(count)` whenever the number of items in the cart is learnt anew. */
export function onCartCount(listener) {
    listeners.add(listener);
    listener(cartState.count);
}

function remember(response) {
    cartState.etag = response.headers.get('ETag') ?? cartState.etag;
    cartState.count = (response.body?.lines ?? []).reduce((sum, line) => sum + line.quantity, 0);
    for (const listener of listeners) listener(cartState.count);
    return response.body;
}

/** A call to a cart route as the current shopper: the customer's token, or the guest's cart token. */
async function cartCall(path, { method = 'GET', body, ifMatch } = {}) {
    const signedIn = Boolean(client.session);
    const guestToken = localStorage.getItem(TOKEN_KEY);
    const headers = {};
    if (!signedIn && guestToken) headers['X-Cart-Token'] = guestToken;
    if (ifMatch) headers['If-Match'] = ifMatch;
    try {
        const response = await client.call(path, { method, body, auth: signedIn, headers });
        const newToken = response.headers.get('X-Cart-Token');
        if (newToken && !signedIn) localStorage.setItem(TOKEN_KEY, newToken);
        return remember(response);
    } catch (error) {
        // A token the shop no longer knows (or never made) names no cart: start afresh.
        if (error instanceof ApiError && error.status === 400 && error.message.includes('X-Cart-Token')) localStorage.removeItem(TOKEN_KEY);
        throw error;
    }
}

/** The shopper's cart, priced for `country` (the shop's default, DE, when not given). */
export function loadCart(country) {
    return cartCall(`/api/v1/cart${country ? `?country=${encodeURIComponent(country)}` : ''}`);
}

/** Refreshes the cart count in the header; quietly, since it is not what the person asked for. */
export function refreshCartCount() {
    loadCart().catch(() => {});
}

export function addToCart(productId, quantity) {
    return cartCall('/api/v1/cart/items', { method: 'POST', body: { productId, quantity } });
}

/** After logging in: the guest cart joins the customer's, and the guest token is forgotten. */
export async function mergeGuestCart() {
    const cartToken = localStorage.getItem(TOKEN_KEY);
    if (!cartToken) return refreshCartCount();
    try {
        const response = await client.call('/api/v1/cart/merge', { method: 'POST', body: { cartToken }, auth: true });
        localStorage.removeItem(TOKEN_KEY);
        const cart = remember(response);
        if (cart.lines.length > 0) flash('Welcome! What you put in your cart before logging in is in your cart now.');
    } catch (error) {
        // A refused token will not be accepted later either; anything else may be tried at the next login.
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) localStorage.removeItem(TOKEN_KEY);
        flash(`Your cart from before logging in could not be added to your account: ${errorText(error)}`);
    }
}

// MARK: - The cart page

export async function cartView({ isCurrent }) {
    document.title = 'Cart · Emporium';
    const page = el('section', { id: 'cart', class: 'cart-page' });
    const draw = (cart) => {
        if (isCurrent()) page.replaceChildren(...cartContent(cart, change).filter(Boolean));
    };
    // A change sends the ETag of the cart as drawn; a 412 means it changed elsewhere: reload and say so.
    const change = async (productId, quantity) => {
        try {
            const path = `/api/v1/cart/items/${encodeURIComponent(productId)}`;
            const cart = quantity === 0
                ? await cartCall(path, { method: 'DELETE', ifMatch: cartState.etag })
                : await cartCall(path, { method: 'PUT', body: { quantity }, ifMatch: cartState.etag });
            draw(cart);
            showNotice(quantity === 0 ? 'The item was removed from your cart.' : 'Your cart was updated.');
        } catch (error) {
            if (error instanceof ApiError && error.status === 412) {
                draw(await loadCart());
                showError(new Error(`Your cart changed in another window or tab, so nothing was changed here. It has been reloaded: check it and try again. (${error.message})`));
            } else {
                showError(error);
            }
        }
    };
    draw(await loadCart());
    return page;
}

function cartContent(cart, change) {
    if (cart.lines.length === 0) {
        return [el('h1', {}, 'Your cart'), el('p', { id: 'cart-empty' }, 'Your cart is empty. ', el('a', { href: '#/' }, 'Find something you like'), '.')];
    }
    const rows = cart.lines.map((line) => {
        const quantity = el('input', { id: `quantity-${line.productId}`, class: 'quantity-input', type: 'number', min: 1, max: 99, required: true, value: line.quantity });
        const update = (event) => {
            event.preventDefault();
            const value = Number.parseInt(quantity.value, 10);
            if (value >= 1 && value <= 99 && value !== line.quantity) change(line.productId, value);
        };
        const flags = [];
        if (line.priceChangedFrom) {
            flags.push(el('li', { class: 'flag price-changed' }, `The price changed since you added it: it was ${money(line.priceChangedFrom)}, it is ${money(line.unitPrice)} now.`));
        }
        if (line.offSale) flags.push(el('li', { class: 'flag off-sale' }, 'This product is no longer sold: remove it to check out.'));
        if (line.availableQuantity != null) {
            const left = line.availableQuantity === 0 ? 'None is available now.' : `Only ${line.availableQuantity} available now.`;
            flags.push(el('li', { class: 'flag short' }, `${left} You asked for ${line.quantity}.`));
        }
        return el(
            'tr',
            { class: 'cart-line', 'data-product-id': line.productId },
            el('td', {}, el('a', { href: productHref(line.productId) }, line.name), flags.length > 0 && el('ul', { class: 'flags' }, flags)),
            el('td', { class: 'num' }, line.priceChangedFrom && el('s', { class: 'old-price' }, money(line.priceChangedFrom)), ' ', money(line.unitPrice)),
            el(
                'td',
                {},
                el(
                    'form',
                    { class: 'quantity-form', onsubmit: update, 'aria-label': `Quantity of ${line.name}` },
                    el('label', { class: 'visually-hidden', for: quantity.id }, `Quantity of ${line.name}`),
                    quantity,
                    el('button', { type: 'submit', class: 'secondary update-quantity' }, 'Update'),
                ),
            ),
            el('td', { class: 'num line-total' }, money(line.lineTotal)),
            el('td', {}, el('button', { type: 'button', class: 'secondary remove-line', onclick: () => change(line.productId, 0) }, 'Remove')),
        );
    });
    const blocked = cart.lines.some((line) => line.offSale);
    return [
        el('h1', {}, 'Your cart'),
        el(
            'table',
            { id: 'cart-lines', class: 'lines' },
            el(
                'thead',
                {},
                el('tr', {}, el('th', { scope: 'col' }, 'Product'), el('th', { scope: 'col', class: 'num' }, 'Price'), el('th', { scope: 'col' }, 'Quantity'), el('th', { scope: 'col', class: 'num' }, 'Total'), el('th', {})),
            ),
            el('tbody', {}, rows),
        ),
        totalsList(cart.totals, { id: 'cart-totals', member: cart.member }),
        el(
            'p',
            { class: 'actions' },
            blocked
                ? el('span', { class: 'button', 'aria-disabled': 'true', id: 'checkout-link' }, 'Check out')
                : el('a', { class: 'button', id: 'checkout-link', href: '#/checkout' }, 'Check out'),
            ' ',
            el('a', { href: '#/' }, 'Continue shopping'),
        ),
    ];
}

/** Subtotal, shipping, VAT included and total, as the cart and the order show them. */
export function totalsList(totals, { id, member = false } = {}) {
    const shipping = isZero(totals.shipping) ? (member ? 'Free (Emporium Plus)' : 'Free') : money(totals.shipping);
    const rate = `${(totals.vatRatePerMille / 10).toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
    return el(
        'dl',
        { id, class: 'totals' },
        el('dt', {}, 'Subtotal'),
        el('dd', { 'data-total': 'subtotal' }, money(totals.subtotal)),
        el('dt', {}, 'Shipping'),
        el('dd', { 'data-total': 'shipping' }, shipping),
        el('dt', {}, `VAT included (${rate})`),
        el('dd', { 'data-total': 'vat' }, money(totals.vatIncluded)),
        el('dt', { class: 'grand' }, 'Total'),
        el('dd', { class: 'grand', 'data-total': 'total' }, money(totals.total)),
    );
}

// MARK: - Checkout

const checkoutSubmission = new IdempotentSubmission();
/** The order a checkout just placed, so the confirmation need not fetch it again. */
let placedOrder = null;

export async function checkoutView({ isCurrent }) {
    document.title = 'Checkout · Emporium';
    if (!client.session) {
        return el(
            'section',
            { id: 'checkout-login', class: 'card narrow' },
            el('h1', {}, 'Checkout'),
            el('p', {}, 'Log in or create an account to check out. Your cart comes with you.'),
            el('p', { class: 'actions' }, el('a', { class: 'button', href: href('/login', { next: '/checkout' }) }, 'Log in'), ' ', el('a', { class: 'button secondary', href: href('/register', { next: '/checkout' }) }, 'Create an account')),
        );
    }
    let [cart, addresses] = await Promise.all([loadCart(), client.request('/api/v1/me/addresses', { auth: true })]);
    if (cart.lines.length === 0) {
        return el('section', { id: 'checkout', class: 'card narrow' }, el('h1', {}, 'Checkout'), el('p', { id: 'cart-empty' }, 'Your cart is empty. ', el('a', { href: '#/' }, 'Find something you like'), '.'));
    }

    const form = el('form', { id: 'checkout-form', class: 'checkout', novalidate: true });
    const addressChoice = el('div', { id: 'address-choice', class: 'choices' });
    const newAddress = addressFields('new-address');
    const newAddressBox = el('div', { id: 'new-address', class: 'indent' }, newAddress.node);
    const card = cardFields('checkout');
    const summary = el('div', { id: 'checkout-summary' });
    const problem = formError('checkout-error');
    const progress = el('p', { id: 'checkout-status', class: 'status', 'aria-live': 'polite' });
    const button = el('button', { type: 'submit', id: 'place-order' }, 'Place order');

    const selected = () => form.querySelector('input[name="address"]:checked')?.value ?? 'new';
    const country = () => (selected() === 'new' ? newAddress.fields.country.value : addresses.find((saved) => saved.id === selected())?.address.country);
    const drawSummary = () => {
        summary.replaceChildren(
            el('h2', {}, 'Your order'),
            el('ul', { class: 'summary-lines' }, cart.lines.map((line) => el('li', {}, el('span', {}, `${line.quantity} × ${line.name}`), el('span', {}, money(line.lineTotal))))),
            totalsList(cart.totals, { id: 'checkout-totals', member: cart.member }),
            el('p', { class: 'hint' }, `Prices for delivery to ${cart.country}.`),
        );
        button.textContent = `Place order · ${money(cart.totals.total)}`;
    };
    // The totals follow the destination's VAT rate.
    const reprice = async () => {
        const destination = country();
        if (!destination || destination === cart.country) return;
        try {
            cart = await loadCart(destination);
            drawSummary();
        } catch (error) {
            showError(error);
        }
    };
    const drawAddresses = (chosen) => {
        const options = addresses.map((saved) =>
            el(
                'label',
                { class: 'choice' },
                el('input', { type: 'radio', name: 'address', value: saved.id, checked: saved.id === chosen }),
                el('span', {}, addressLines(saved.address), saved.isDefault && el('span', { class: 'badge ok' }, 'Default')),
            ),
        );
        options.push(el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'address', value: 'new', id: 'address-new', checked: chosen === 'new' }), el('span', {}, 'A new address')));
        addressChoice.replaceChildren(...options);
        newAddressBox.hidden = chosen !== 'new';
    };
    addressChoice.addEventListener('change', () => {
        newAddressBox.hidden = selected() !== 'new';
        reprice();
    });
    newAddress.fields.country.addEventListener('change', reprice);
    drawAddresses((addresses.find((saved) => saved.isDefault) ?? addresses[0])?.id ?? 'new');
    drawSummary();
    reprice();

    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        setFormError(problem);
        button.disabled = true;
        try {
            let addressId = selected();
            if (addressId === 'new') {
                // Saved first, so that it is in the address book next time and a second press does not add it again.
                progress.textContent = 'Saving your address…';
                try {
                    const saved = await client.request('/api/v1/me/addresses', { method: 'POST', body: newAddress.value(), auth: true });
                    addresses = [...addresses, saved];
                    addressId = saved.id;
                    drawAddresses(saved.id);
                } catch (error) {
                    progress.textContent = '';
                    if (!showFieldErrors(form, error)) setFormError(problem, errorText(error));
                    return;
                }
            }
            await placeOrder(addressId);
        } finally {
            button.disabled = false;
        }
    });

    async function placeOrder(addressId) {
        const body = { addressId, card: card.value() };
        const key = checkoutSubmission.keyFor(body);
        progress.textContent = 'Placing your order…';
        let response;
        try {
            response = await client.call('/api/v1/checkout', { method: 'POST', body, auth: true, headers: { 'Idempotency-Key': key } });
        } catch (error) {
            progress.textContent = '';
            if (error instanceof TypeError) {
                // The order may or may not exist: the same key again finds it rather than buying twice.
                setFormError(problem, `${errorText(error)} Press “Place order” again: the same order is sent, and you will not be charged twice.`);
                return;
            }
            // The first request with this key still runs: asking again later with the same key gets its answer.
            if (!(error instanceof ApiError && error.type === 'idempotency-key-in-use')) checkoutSubmission.answered();
            return refused(error);
        }
        checkoutSubmission.answered();
        if (response.status === 202) {
            progress.textContent = `Your order ${response.body.number} is being processed. This page follows it until it is decided…`;
            return follow(response.headers.get('Location') ?? `/api/v1/orders/${encodeURIComponent(response.body.id)}`);
        }
        decided(response.body);
    }

    /** A 202: reads the order at its Location until the saga has decided it. */
    async function follow(location) {
        while (isCurrent()) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            try {
                const order = await client.request(location, { auth: true });
                if (order.status !== 'pending') return decided(order);
            } catch (error) {
                if (!(error instanceof TypeError)) return setFormError(problem, errorText(error));
            }
        }
    }

    function decided(order) {
        progress.textContent = '';
        if (order.status === 'payment-failed') {
            const code = order.payment?.declineCode;
            const reason = order.timeline.findLast((entry) => entry.step === 'payment-declined')?.detail ?? 'The payment was declined.';
            return showDecline(reason, code);
        }
        if (order.status === 'rejected') return showShort(order.shortLines ?? []);
        if (order.status === 'cancelled') return setFormError(problem, `Your order ${order.number} could not be completed and was cancelled; nothing was charged.`);
        placedOrder = order;
        location.hash = href(`/confirmation/${encodeURIComponent(order.id)}`);
    }

    function refused(error) {
        if (!(error instanceof ApiError)) return setFormError(problem, errorText(error));
        if (error.type === 'payment-declined') return showDecline(error.message, error.problem.declineCode);
        if (error.type === 'insufficient-stock') return showShort(error.problem.lines ?? []);
        if (error.type === 'address-not-found') {
            client.request('/api/v1/me/addresses', { auth: true }).then((list) => {
                addresses = list;
                drawAddresses(list[0]?.id ?? 'new');
            });
        }
        if (error.status === 401) return setFormError(problem, 'Your session has ended: log in again to check out.');
        if (!showFieldErrors(form, error, 'shippingAddress.')) setFormError(problem, errorText(error));
    }

    function showDecline(message, code) {
        setFormError(
            problem,
            el('p', { class: 'decline' }, el('strong', {}, message)),
            code && el('p', {}, 'Decline code: ', el('code', { id: 'decline-code' }, code)),
            el('p', {}, 'Nothing was charged and your cart is kept: try another card.'),
        );
        form.querySelector('#checkout-card-number')?.focus();
    }

    function showShort(lines) {
        const names = new Map(cart.lines.map((line) => [line.productId, line.name]));
        setFormError(
            problem,
            el('p', {}, el('strong', {}, 'Not enough stock. '), 'Nothing was charged and your cart is kept.'),
            el(
                'ul',
                { id: 'short-lines' },
                lines.map((line) => el('li', { 'data-product-id': line.productId }, `${names.get(line.productId) ?? line.productId}: you asked for ${line.requested}, only ${line.available} left.`)),
            ),
            el('p', {}, el('a', { href: '#/cart' }, 'Change your cart'), ' and check out again.'),
        );
    }

    form.append(
        el('h1', {}, 'Checkout'),
        el(
            'div',
            { class: 'checkout-grid' },
            el(
                'div',
                {},
                el('fieldset', {}, el('legend', {}, 'Shipping address'), addressChoice, newAddressBox),
                el('fieldset', { id: 'payment-fields' }, el('legend', {}, 'Payment'), card.node, testCardsTable()),
            ),
            el('div', {}, summary, problem, progress, button),
        ),
    );
    return form;
}

// MARK: - Confirmation

export async function confirmationView({ arg }) {
    const order = placedOrder?.id === arg ? placedOrder : await client.request(`/api/v1/orders/${encodeURIComponent(arg ?? '')}`, { auth: true });
    placedOrder = null;
    document.title = `Order ${order.number} · Emporium`;
    // The bought lines leave the cart in the background, right after the confirmation.
    refreshCartCount();
    return el(
        'section',
        { id: 'confirmation', class: 'card narrow', 'data-order-id': order.id },
        el('h1', {}, 'Thank you for your order'),
        el('p', { class: 'lead' }, 'Your order number is ', el('strong', { id: 'order-number' }, order.number), '.'),
        el('p', {}, statusBadge(order.status), ' ', `${money(order.totals.total)}, paid with ${order.payment ? `${brand(order.payment.brand)} ending ${order.payment.last4}` : 'your card'}.`),
        el('p', {}, 'It goes to:'),
        addressLines(order.shippingAddress),
        el('p', {}, 'We will let you know when it ships; your notifications are on your account page.'),
        el('p', { class: 'actions' }, el('a', { class: 'button', id: 'view-order', href: orderHref(order.id) }, 'View your order'), ' ', el('a', { href: '#/' }, 'Continue shopping')),
    );
}

/** A card brand for people. */
export function brand(name) {
    const brands = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', diners: 'Diners Club', jcb: 'JCB', unionpay: 'UnionPay' };
    return brands[name] ?? 'Card';
}
