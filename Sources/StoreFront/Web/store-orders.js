// A customer's orders: the history a page at a time, and one order with its lines, totals, payment, shipments and
// the timeline of its checkout saga; cancelling before it ships, returning what was delivered.
import { el } from './api.js';
import { brand, totalsList } from './store-cart.js';
import {
    addressLines,
    client,
    confirmingButton,
    errorText,
    formError,
    href,
    isZero,
    money,
    orderHref,
    productHref,
    setFormError,
    showError,
    showNotice,
    statusBadge,
    when,
} from './store-ui.js';

const PAGE_SIZE = 10;

function signInFirst(what) {
    return el('section', { class: 'card narrow' }, el('h1', {}, what), el('p', {}, 'Log in to see your orders. ', el('a', { href: href('/login', { next: '/orders' }) }, 'Log in')));
}

// MARK: - History

export async function ordersView({ isCurrent }) {
    document.title = 'Your orders · Emporium';
    if (!client.session) return signInFirst('Your orders');
    const list = el('tbody', {});
    const status = el('p', { class: 'status', 'aria-live': 'polite' });
    const previous = el('button', { type: 'button', class: 'secondary' }, '← Newer');
    const next = el('button', { type: 'button', class: 'secondary' }, 'Older →');
    // Cursors only go forward: a stack of the ones used lets "Newer" go back.
    const cursors = [null];
    let nextCursor = null;

    async function load() {
        const cursor = cursors.at(-1);
        const page = await client.request(`/api/v1/orders?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { auth: true });
        if (!isCurrent()) return;
        nextCursor = page.nextCursor ?? null;
        list.replaceChildren(
            ...page.items.map((order) =>
                el(
                    'tr',
                    { class: 'order-row', 'data-order-id': order.id },
                    el('th', { scope: 'row' }, el('a', { href: orderHref(order.id), class: 'order-link' }, order.number)),
                    el('td', {}, when(order.createdAt)),
                    el('td', {}, statusBadge(order.status)),
                    el('td', {}, order.lines.map((line) => `${line.quantity} × ${line.name}`).join(', ')),
                    el('td', { class: 'num' }, money(order.totals.total)),
                ),
            ),
        );
        status.textContent = page.items.length === 0 && cursors.length === 1 ? 'You have not ordered anything yet.' : `Page ${cursors.length}`;
        previous.disabled = cursors.length === 1;
        next.disabled = !nextCursor;
    }
    async function turn(forward) {
        const saved = [...cursors];
        if (forward) cursors.push(nextCursor);
        else cursors.pop();
        try {
            await load();
        } catch (error) {
            cursors.splice(0, cursors.length, ...saved);
            showError(error);
        }
    }
    previous.addEventListener('click', () => turn(false));
    next.addEventListener('click', () => turn(true));
    await load();
    return el(
        'section',
        { id: 'orders', class: 'orders-page' },
        el('h1', {}, 'Your orders'),
        status,
        el(
            'table',
            { id: 'order-list', class: 'lines' },
            el(
                'thead',
                {},
                el('tr', {}, el('th', { scope: 'col' }, 'Order'), el('th', { scope: 'col' }, 'Placed'), el('th', { scope: 'col' }, 'Status'), el('th', { scope: 'col' }, 'Items'), el('th', { scope: 'col', class: 'num' }, 'Total')),
            ),
            list,
        ),
        el('nav', { class: 'pager', 'aria-label': 'Pages' }, previous, next),
    );
}

// MARK: - One order

const stepWords = {
    'order-created': 'Order received',
    'stock-reserved': 'Items reserved in the warehouse',
    'stock-short': 'Not enough stock',
    'payment-authorized': 'Payment authorised',
    'payment-declined': 'Payment declined',
    confirmed: 'Order confirmed',
    'cart-cleared': 'Items removed from your cart',
    'payment-captured': 'Payment taken',
    'fulfilment-requested': 'Sent to the warehouse for packing',
    shipped: 'Shipped',
    delivered: 'Delivered',
    'cancel-requested': 'Cancellation asked for',
    'payment-voided': 'Payment voided: the authorisation was released',
    'payment-refunded': 'Payment refunded',
    'stock-released': 'Reserved items released',
    returned: 'Return received',
    retry: 'Tried again',
};

const shipmentWords = {
    created: 'Waiting to be picked',
    picking: 'Being picked',
    packed: 'Packed',
    shipping: 'Handed to the carrier',
    shipped: 'On its way',
    delivered: 'Delivered',
    cancelled: 'Cancelled',
};

const paymentWords = {
    requires_payment_method: 'Not paid',
    requires_capture: 'Authorised (held on your card)',
    succeeded: 'Paid',
    canceled: 'Voided: the hold on your card was released',
};

/** Whether the order may still be cancelled: confirmed, and nothing handed to the carrier. */
function cancellable(order) {
    return order.status === 'confirmed' && order.shipments.every((shipment) => ['created', 'picking', 'packed', 'cancelled'].includes(shipment.status));
}

export async function orderView({ arg, isCurrent }) {
    if (!client.session) return signInFirst('Your order');
    const page = el('article', { id: 'order', class: 'order-page' });
    const path = `/api/v1/orders/${encodeURIComponent(arg ?? '')}`;
    const draw = (order, note) => {
        if (!isCurrent()) return;
        document.title = `Order ${order.number} · Emporium`;
        page.dataset.orderId = order.id;
        page.dataset.status = order.status;
        page.replaceChildren(...orderContent(order, { note, cancel, returnItems }).filter(Boolean));
    };
    // While the saga decides or a cancellation finishes, the page follows the order.
    const follow = async (until, note) => {
        for (let tries = 0; tries < 60 && isCurrent(); tries++) {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            try {
                const order = await client.request(path, { auth: true });
                draw(order, note(order));
                if (until(order)) return;
            } catch (error) {
                if (!(error instanceof TypeError)) return showError(error);
            }
        }
    };
    async function cancel(order) {
        try {
            const cancelled = await client.request(`${path}/cancel`, { method: 'POST', auth: true });
            draw(cancelled, refundNote(cancelled));
            if (cancelled.status !== 'cancelled') {
                showNotice(`Your cancellation of order ${order.number} is being processed.`);
                follow((now) => now.status === 'cancelled', refundNote);
            } else {
                showNotice(`Order ${order.number} is cancelled.`);
            }
        } catch (error) {
            showError(error);
        }
    }
    async function returnItems(order, lines, problem) {
        try {
            const returned = await client.request(`${path}/returns`, { method: 'POST', body: { lines }, auth: true });
            const latest = returned.returns.at(-1);
            draw(returned, latest && `Your return was accepted: ${money(latest.refund)} ${latest.status === 'refunded' ? 'was refunded' : 'will be refunded'} to your card.`);
        } catch (error) {
            setFormError(problem, errorText(error));
        }
    }
    const order = await client.request(path, { auth: true });
    draw(order, refundNote(order));
    if (order.status === 'pending') follow((now) => now.status !== 'pending', refundNote);
    return page;
}

/** What a cancelled order's customer gets back, in a sentence; `null` for other orders. */
function refundNote(order) {
    if (order.status !== 'cancelled') return null;
    const payment = order.payment;
    if (payment && !isZero(payment.refunded)) return `This order was cancelled and ${money(payment.refunded)} was refunded to your ${brand(payment.brand)} ending ${payment.last4}.`;
    if (payment?.status === 'canceled') return 'This order was cancelled and the payment voided: the hold on your card was released and nothing was charged.';
    return 'This order was cancelled; nothing was charged.';
}

function orderContent(order, { note, cancel, returnItems }) {
    const returnable = order.status === 'delivered' ? order.lines.filter((line) => line.quantity > line.returnedQuantity) : [];
    return [
        el('p', { class: 'breadcrumb-link' }, el('a', { href: '#/orders' }, '← Your orders')),
        el('h1', {}, 'Order ', el('span', { id: 'order-number' }, order.number), ' ', statusBadge(order.status)),
        el('p', { class: 'muted' }, `Placed ${when(order.createdAt)} · last changed ${when(order.updatedAt)}`),
        note && el('p', { id: 'refund-notice', class: 'success', role: 'status' }, note),
        order.status === 'payment-failed' && el('p', { class: 'error' }, 'The payment was declined', order.payment?.declineCode ? ` (${order.payment.declineCode})` : '', '; nothing was charged.'),
        order.status === 'rejected' && shortLinesNote(order),
        el(
            'div',
            { class: 'order-grid' },
            el(
                'section',
                { class: 'card', 'aria-labelledby': 'lines-title' },
                el('h2', { id: 'lines-title' }, 'Items'),
                el(
                    'table',
                    { id: 'order-lines', class: 'lines' },
                    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Product'), el('th', { scope: 'col', class: 'num' }, 'Quantity'), el('th', { scope: 'col', class: 'num' }, 'Price'), el('th', { scope: 'col', class: 'num' }, 'Total'))),
                    el(
                        'tbody',
                        {},
                        order.lines.map((line) =>
                            el(
                                'tr',
                                { 'data-product-id': line.productId },
                                el('td', {}, el('a', { href: productHref(line.productId) }, line.name), line.returnedQuantity > 0 && el('div', { class: 'muted' }, `${line.returnedQuantity} returned`)),
                                el('td', { class: 'num' }, String(line.quantity)),
                                el('td', { class: 'num' }, money(line.unitPrice)),
                                el('td', { class: 'num' }, money(line.lineTotal)),
                            ),
                        ),
                    ),
                ),
                totalsList(order.totals, { id: 'order-totals' }),
            ),
            el(
                'div',
                { class: 'stack' },
                el('section', { class: 'card', 'aria-labelledby': 'address-title' }, el('h2', { id: 'address-title' }, 'Shipping to'), addressLines(order.shippingAddress)),
                paymentSection(order.payment),
                shipmentsSection(order.shipments),
            ),
        ),
        cancellable(order) &&
            el(
                'section',
                { class: 'card', id: 'cancel', 'aria-labelledby': 'cancel-title' },
                el('h2', { id: 'cancel-title' }, 'Changed your mind?'),
                el('p', {}, 'You can cancel this order until it is handed to the carrier. A payment already taken is refunded; otherwise the hold on your card is released.'),
                confirmingButton({
                    id: 'cancel-order',
                    label: 'Cancel this order',
                    question: `Cancel order ${order.number}? This cannot be undone.`,
                    confirmId: 'confirm-cancel',
                    confirmLabel: 'Yes, cancel the order',
                    action: () => cancel(order),
                }),
            ),
        returnable.length > 0 && returnForm(order, returnable, returnItems),
        order.returns.length > 0 &&
            el(
                'section',
                { class: 'card', id: 'returns', 'aria-labelledby': 'returns-title' },
                el('h2', { id: 'returns-title' }, 'Returns'),
                el(
                    'ul',
                    {},
                    order.returns.map((item) =>
                        el('li', {}, `Return ${item.number} of ${when(item.createdAt)}: `, item.lines.map((line) => `${line.quantity} × ${nameOf(order, line.productId)}`).join(', '), ` · ${money(item.refund)} ${item.status === 'refunded' ? 'refunded' : 'to be refunded'}`),
                    ),
                ),
            ),
        el(
            'section',
            { class: 'card', 'aria-labelledby': 'timeline-title' },
            el('h2', { id: 'timeline-title' }, 'What happened'),
            el(
                'ol',
                { id: 'timeline', class: 'timeline-list' },
                order.timeline.map((entry) =>
                    el(
                        'li',
                        { class: `step ${entry.outcome}`, 'data-step': entry.step },
                        el('time', { datetime: entry.at }, when(entry.at, { dateStyle: 'short', timeStyle: 'medium' })),
                        el('span', { class: 'step-name' }, stepWords[entry.step] ?? entry.step),
                        entry.outcome !== 'ok' && el('span', { class: `badge ${entry.outcome === 'failed' ? 'bad' : 'warn'}` }, entry.outcome === 'failed' ? 'failed' : 'retrying'),
                        entry.detail && el('span', { class: 'muted step-detail' }, entry.detail),
                    ),
                ),
            ),
        ),
    ];
}

function nameOf(order, productId) {
    return order.lines.find((line) => line.productId === productId)?.name ?? productId;
}

function shortLinesNote(order) {
    return el(
        'div',
        { class: 'error' },
        el('p', {}, 'There was not enough stock for this order; nothing was charged and your cart was kept.'),
        el('ul', {}, (order.shortLines ?? []).map((line) => el('li', {}, `${nameOf(order, line.productId)}: you asked for ${line.requested}, only ${line.available} left.`))),
    );
}

/** The payment's state in words: a captured payment refunded in full or in part says so. */
function paymentStatus(payment) {
    if (payment.status === 'succeeded' && !isZero(payment.refunded)) {
        return payment.refunded.minorUnits >= payment.captured.minorUnits ? 'Refunded in full' : 'Paid, partly refunded';
    }
    return paymentWords[payment.status] ?? payment.status;
}

function paymentSection(payment) {
    const rows = payment
        ? [
              ['Card', `${brand(payment.brand)} ending ${payment.last4 ?? '····'}`],
              ['Status', paymentStatus(payment)],
              ['Amount', money(payment.amount)],
              ['Captured', money(payment.captured)],
              ['Refunded', money(payment.refunded)],
              payment.declineCode && ['Decline code', payment.declineCode],
          ].filter(Boolean)
        : [];
    return el(
        'section',
        { class: 'card', id: 'payment', 'aria-labelledby': 'payment-title' },
        el('h2', { id: 'payment-title' }, 'Payment'),
        payment
            ? el('dl', { class: 'facts' }, rows.flatMap(([label, value]) => [el('dt', {}, label), el('dd', { 'data-fact': label.toLowerCase().replaceAll(' ', '-') }, value)]))
            : el('p', { class: 'muted' }, 'No payment was made.'),
    );
}

function shipmentsSection(shipments) {
    return el(
        'section',
        { class: 'card', id: 'shipments', 'aria-labelledby': 'shipments-title' },
        el('h2', { id: 'shipments-title' }, 'Shipments'),
        shipments.length === 0
            ? el('p', { class: 'muted' }, 'Nothing has been sent yet.')
            : el(
                  'ul',
                  { class: 'shipment-list' },
                  shipments.map((shipment) =>
                      el(
                          'li',
                          { 'data-shipment-id': shipment.id },
                          el('strong', {}, shipmentWords[shipment.status] ?? shipment.status),
                          ` from ${shipment.warehouse}`,
                          shipment.trackingNumber && el('div', {}, `${shipment.carrier ?? 'Carrier'} tracking number `, el('code', {}, shipment.trackingNumber)),
                      ),
                  ),
              ),
    );
}

function returnForm(order, lines, returnItems) {
    const problem = formError('return-error');
    const inputs = lines.map((line) => {
        const left = line.quantity - line.returnedQuantity;
        const input = el('input', { id: `return-${line.productId}`, class: 'return-quantity', type: 'number', min: 0, max: left, value: 0, 'data-product-id': line.productId });
        return el('div', { class: 'field inline' }, el('label', { for: input.id }, `${line.name} (up to ${left})`), input);
    });
    const button = el('button', { type: 'submit', id: 'return-items' }, 'Return these items');
    const submit = async (event) => {
        event.preventDefault();
        setFormError(problem);
        const chosen = [...event.target.querySelectorAll('.return-quantity')]
            .map((input) => ({ productId: input.dataset.productId, quantity: Number.parseInt(input.value, 10) || 0 }))
            .filter((line) => line.quantity > 0);
        if (chosen.length === 0) return setFormError(problem, 'Choose how many of an item to return.');
        button.disabled = true;
        try {
            await returnItems(order, chosen, problem);
        } finally {
            button.disabled = false;
        }
    };
    return el(
        'form',
        { class: 'card', id: 'return-form', onsubmit: submit, 'aria-labelledby': 'return-title' },
        el('h2', { id: 'return-title' }, 'Return items'),
        el('p', {}, 'Send back what you do not want: its share of what you paid, shipping included, is refunded to your card.'),
        inputs,
        problem,
        button,
    );
}
