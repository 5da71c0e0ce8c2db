// The account page: the profile, the address book, the notifications feed, the Emporium Plus membership, a download
// of everything the shop holds about the person, and deleting the account.
import { ApiError, el } from './api.js';
import { brand, refreshCartCount } from './store-cart.js';
import {
    IdempotentSubmission,
    addressFields,
    addressLines,
    cardFields,
    clearFieldErrors,
    client,
    confirmingButton,
    errorText,
    field,
    flash,
    formError,
    input,
    setFormError,
    showError,
    showFieldErrors,
    showNotice,
    testCardsTable,
    when,
} from './store-ui.js';

const NOTIFICATIONS_PAGE = 10;
const NOTIFICATIONS_POLL_MS = 3000;

export async function accountView({ isCurrent }) {
    document.title = 'Account · Emporium';
    if (!client.session) {
        return el('section', { class: 'card narrow' }, el('h1', {}, 'Account'), el('p', {}, 'You are not logged in. ', el('a', { href: '#/login' }, 'Log in')));
    }
    let user;
    try {
        user = await client.request('/api/v1/me', { auth: true });
    } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
        // The refresh failed too, and the client has forgotten the session.
        throw new Error(`Your session has ended (${error.message}): please log in again.`);
    }
    const sections = {
        profile: el('section', { id: 'profile', class: 'card', 'aria-labelledby': 'profile-title' }),
        addresses: el('section', { id: 'addresses', class: 'card', 'aria-labelledby': 'addresses-title' }),
        notifications: el('section', { id: 'notifications', class: 'card', 'aria-labelledby': 'notifications-title' }),
        membership: el('section', { id: 'membership', class: 'card', 'aria-labelledby': 'membership-title' }),
    };
    // Each section loads on its own: one that fails says so in place, the others still show.
    const load = async (section, draw) => {
        try {
            await draw(section);
        } catch (error) {
            section.append(el('p', { class: 'error' }, errorText(error)));
        }
    };
    await Promise.all([
        load(sections.profile, (node) => drawProfile(node, user)),
        load(sections.addresses, drawAddresses),
        load(sections.notifications, (node) => drawNotifications(node, isCurrent)),
        load(sections.membership, drawMembership),
    ]);
    const logout = async () => {
        await client.logout();
        refreshCartCount();
        location.hash = '#/';
    };
    return el(
        'div',
        { class: 'account-page' },
        el('div', { class: 'page-title' }, el('h1', {}, 'Your account'), el('button', { type: 'button', id: 'logout', class: 'secondary', onclick: logout }, 'Log out')),
        el('p', {}, el('a', { href: '#/orders', id: 'orders-link' }, 'Your orders'), ` · member since ${when(user.createdAt, { dateStyle: 'long' })}`),
        el('div', { class: 'account-grid' }, sections.profile, sections.notifications, sections.addresses, sections.membership),
        dataSection(),
    );
}

// MARK: - Profile

async function drawProfile(section, user) {
    const profile = await client.request('/api/v1/me/profile', { auth: true });
    const show = (current) => {
        section.replaceChildren(
            el('h2', { id: 'profile-title' }, 'Profile'),
            el(
                'dl',
                { class: 'facts' },
                el('dt', {}, 'Name'),
                el('dd', { id: 'profile-name' }, current.displayName),
                el('dt', {}, 'Email'),
                el('dd', {}, user.email),
                el('dt', {}, 'Phone'),
                el('dd', {}, current.phone ?? '—'),
                el('dt', {}, 'Offers by email'),
                el('dd', {}, current.marketingOptIn ? 'Yes' : 'No'),
            ),
            el('button', { type: 'button', id: 'edit-profile', class: 'secondary', onclick: () => edit(current) }, 'Edit profile'),
        );
    };
    const edit = (current) => {
        const name = input('profile-display-name', { field: 'displayName', required: true, value: current.displayName, autocomplete: 'nickname' });
        const phone = input('profile-phone', { field: 'phone', type: 'tel', value: current.phone ?? '', autocomplete: 'tel' });
        const offers = el('input', { id: 'profile-offers', type: 'checkbox', checked: current.marketingOptIn });
        const problem = formError('profile-error');
        const submit = async (event) => {
            event.preventDefault();
            clearFieldErrors(form);
            setFormError(problem);
            const body = { displayName: name.value, marketingOptIn: offers.checked };
            if (phone.value.trim()) body.phone = phone.value;
            try {
                const saved = await client.request('/api/v1/me/profile', { method: 'PUT', body, auth: true });
                show(saved);
                showNotice('Your profile was saved.');
            } catch (error) {
                if (!showFieldErrors(form, error)) setFormError(problem, errorText(error));
            }
        };
        const form = el(
            'form',
            { id: 'profile-form', class: 'stack', onsubmit: submit },
            el('h2', { id: 'profile-title' }, 'Profile'),
            field('Name', name, 'How we address you.'),
            field('Phone (optional)', phone),
            el('label', { class: 'check' }, offers, ' Send me offers by email'),
            problem,
            el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'save-profile' }, 'Save'), el('button', { type: 'button', class: 'secondary', onclick: () => show(current) }, 'Cancel')),
        );
        section.replaceChildren(form);
        name.focus();
    };
    show(profile);
}

// MARK: - Addresses

async function drawAddresses(section) {
    const addresses = await client.request('/api/v1/me/addresses', { auth: true });
    const act = async (work, done) => {
        try {
            await work();
            await drawAddresses(section);
            showNotice(done);
        } catch (error) {
            showError(error);
        }
    };
    const list = addresses.map((saved) =>
        el(
            'li',
            { class: 'address', 'data-address-id': saved.id },
            addressLines(saved.address),
            el(
                'div',
                { class: 'actions' },
                saved.isDefault
                    ? el('span', { class: 'badge ok' }, 'Default')
                    : el(
                          'button',
                          {
                              type: 'button',
                              class: 'secondary make-default',
                              onclick: () =>
                                  act(
                                      () => client.request(`/api/v1/me/addresses/${encodeURIComponent(saved.id)}`, { method: 'PUT', body: { ...saved.address, isDefault: true }, auth: true }),
                                      'That address is your default now.',
                                  ),
                          },
                          'Make default',
                      ),
                el(
                    'button',
                    {
                        type: 'button',
                        class: 'secondary delete-address',
                        onclick: () => act(() => client.request(`/api/v1/me/addresses/${encodeURIComponent(saved.id)}`, { method: 'DELETE', auth: true }), 'The address was deleted.'),
                    },
                    'Delete',
                ),
            ),
        ),
    );
    const add = el('button', { type: 'button', id: 'add-address', class: 'secondary' }, 'Add an address');
    add.addEventListener('click', () => {
        const fields = addressFields('account-address');
        const makeDefault = el('input', { id: 'account-address-default', type: 'checkbox' });
        const problem = formError('address-error');
        const form = el(
            'form',
            { id: 'address-form', class: 'stack', novalidate: true },
            el('h3', {}, 'New address'),
            fields.node,
            el('label', { class: 'check' }, makeDefault, ' Make this my default address'),
            problem,
            el('div', { class: 'actions' }, el('button', { type: 'submit', id: 'save-address' }, 'Save address'), el('button', { type: 'button', class: 'secondary', onclick: () => drawAddresses(section) }, 'Cancel')),
        );
        form.addEventListener('submit', async (event) => {
            event.preventDefault();
            clearFieldErrors(form);
            setFormError(problem);
            try {
                await client.request('/api/v1/me/addresses', { method: 'POST', body: { ...fields.value(), isDefault: makeDefault.checked }, auth: true });
                await drawAddresses(section);
                showNotice('The address was saved.');
            } catch (error) {
                if (!showFieldErrors(form, error)) setFormError(problem, errorText(error));
            }
        });
        add.replaceWith(form);
        fields.fields.name.focus();
    });
    section.replaceChildren(
        el('h2', { id: 'addresses-title' }, 'Addresses'),
        addresses.length === 0 ? el('p', { class: 'muted' }, 'No saved addresses yet.') : el('ul', { id: 'address-list', class: 'address-list' }, list),
        add,
    );
}

// MARK: - Notifications

/**
 * The newest notifications, followed while the page is open (what the shop tells a customer arrives by event, a
 * moment after what caused it), with older ones a page at a time.
 */
async function drawNotifications(section, isCurrent) {
    const list = el('ul', { id: 'notification-list', class: 'notification-list' });
    const more = el('button', { type: 'button', id: 'more-notifications', class: 'secondary', hidden: true }, 'Older notifications');
    const empty = el('p', { class: 'muted', id: 'no-notifications' }, 'Nothing yet.');
    let cursor = null;
    const seen = new Set();
    const item = (notification) =>
        el(
            'li',
            { class: 'notification', 'data-notification-id': notification.id, 'data-topic': notification.topic },
            el('details', {}, el('summary', {}, el('strong', { class: 'subject' }, notification.subject), ' ', el('time', { class: 'muted', datetime: notification.createdAt }, when(notification.createdAt))), el('p', { class: 'body' }, notification.body)),
        );
    const newest = async () => {
        const page = await client.request(`/api/v1/me/notifications?limit=${NOTIFICATIONS_PAGE}`, { auth: true });
        const fresh = page.items.filter((notification) => !seen.has(notification.id));
        for (const notification of fresh) seen.add(notification.id);
        if (cursor === null && list.children.length === 0) cursor = page.nextCursor ?? null;
        list.prepend(...fresh.map(item));
        empty.hidden = list.children.length > 0;
        more.hidden = !cursor;
    };
    more.addEventListener('click', async () => {
        try {
            const page = await client.request(`/api/v1/me/notifications?limit=${NOTIFICATIONS_PAGE}&cursor=${encodeURIComponent(cursor)}`, { auth: true });
            cursor = page.nextCursor ?? null;
            list.append(...page.items.filter((notification) => !seen.has(notification.id)).map((notification) => (seen.add(notification.id), item(notification))));
            more.hidden = !cursor;
        } catch (error) {
            showError(error);
        }
    });
    section.replaceChildren(el('h2', { id: 'notifications-title' }, 'Notifications'), empty, list, more);
    await newest();
    const poll = async () => {
        if (!isCurrent()) return;
        try {
            await newest();
        } catch {
            // The next poll tries again; the feed shown stays.
        }
        setTimeout(poll, NOTIFICATIONS_POLL_MS);
    };
    setTimeout(poll, NOTIFICATIONS_POLL_MS);
}

// MARK: - Membership

const subscribing = new IdempotentSubmission();

async function drawMembership(section) {
    let subscription = null;
    try {
        subscription = await client.request('/api/v1/me/subscription', { auth: true });
    } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    const title = el('h2', { id: 'membership-title' }, 'Emporium Plus');
    const member = subscription && (subscription.status === 'active' || subscription.status === 'past_due');
    if (member) {
        section.replaceChildren(
            title,
            el('p', {}, el('span', { class: 'badge ok', id: 'membership-status' }, subscription.status === 'active' ? 'Member' : 'Member, payment due'), ' Free shipping on every order.'),
            el(
                'dl',
                { class: 'facts' },
                el('dt', {}, 'Renews'),
                el('dd', {}, when(subscription.currentPeriodEnd, { dateStyle: 'long' })),
                el('dt', {}, 'Card'),
                el('dd', {}, `${brand(subscription.card.brand)} ending ${subscription.card.last4}`),
                subscription.status === 'past_due' && [el('dt', {}, 'Renewal'), el('dd', {}, `Declined (${subscription.lastDecline?.code ?? 'card_declined'}); tried again ${when(subscription.nextRetryAt)}`)],
            ),
            confirmingButton({
                id: 'cancel-membership',
                label: 'End my membership',
                question: 'End your Emporium Plus membership now? Free shipping ends at once.',
                confirmId: 'confirm-cancel-membership',
                confirmLabel: 'Yes, end it',
                action: async () => {
                    try {
                        await client.request('/api/v1/me/subscription', { method: 'DELETE', auth: true });
                        await drawMembership(section);
                        refreshCartCount();
                        showNotice('Your membership has ended.');
                    } catch (error) {
                        showError(error);
                    }
                },
            }),
        );
        return;
    }
    const card = cardFields('plus');
    const problem = formError('membership-error');
    const button = el('button', { type: 'submit', id: 'subscribe' }, 'Join Emporium Plus · 4.99 EUR a month');
    const form = el(
        'form',
        { id: 'subscribe-form', class: 'stack', novalidate: true },
        title,
        subscription && el('p', { class: 'muted' }, `Your membership ended ${when(subscription.endedAt ?? subscription.currentPeriodEnd, { dateStyle: 'long' })}.`),
        el('p', {}, 'Free shipping on every order for 4.99 EUR a month, charged to your card now and each month; end it whenever you like.'),
        card.node,
        testCardsTable({ open: false }),
        problem,
        button,
    );
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        clearFieldErrors(form);
        setFormError(problem);
        const body = { plan: 'plus', card: card.value() };
        button.disabled = true;
        try {
            await client.request('/api/v1/me/subscription', { method: 'POST', body, auth: true, headers: { 'Idempotency-Key': subscribing.keyFor(body) } });
            subscribing.answered();
            await drawMembership(section);
            refreshCartCount();
            showNotice('Welcome to Emporium Plus: shipping is free from now on.');
        } catch (error) {
            if (error instanceof TypeError) {
                setFormError(problem, `${errorText(error)} Press the button again: you will not be charged twice.`);
                return;
            }
            if (!(error instanceof ApiError && error.type === 'idempotency-key-in-use')) subscribing.answered();
            if (!showFieldErrors(form, error)) setFormError(problem, errorText(error));
        } finally {
            button.disabled = false;
        }
    });
    section.replaceChildren(form);
}

// MARK: - Your data

function dataSection() {
    const exportButton = el('button', { type: 'button', id: 'export-data', class: 'secondary' }, 'Download my data');
    exportButton.addEventListener('click', async () => {
        exportButton.disabled = true;
        try {
            const data = await client.request('/api/v1/me/export', { auth: true });
            const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
            const link = el('a', { href: URL.createObjectURL(blob), download: `emporium-data-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
            document.body.append(link);
            link.click();
            link.remove();
            setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
            showNotice('Your data was downloaded as a JSON file.');
        } catch (error) {
            showError(error);
        } finally {
            exportButton.disabled = false;
        }
    });
    const remove = confirmingButton({
        id: 'delete-account',
        label: 'Delete my account',
        question:
            'Delete your account for good? Your profile, addresses, notifications, cart and membership go at once and cannot be brought back. Orders and payments are kept for accounting, without your name.',
        confirmId: 'confirm-delete-account',
        confirmLabel: 'Yes, delete my account',
        action: async () => {
            try {
                await client.request('/api/v1/me', { method: 'DELETE', auth: true });
                client.session = null;
                refreshCartCount();
                flash('Your account was deleted. Thank you for shopping with us.');
                location.hash = '#/';
            } catch (error) {
                showError(error);
            }
        },
    });
    return el(
        'section',
        { id: 'your-data', class: 'card', 'aria-labelledby': 'data-title' },
        el('h2', { id: 'data-title' }, 'Your data'),
        el('p', {}, 'Everything the shop holds about you (account, profile, addresses, notifications, cart, orders and payments) as one JSON file.'),
        exportButton,
        el('h3', {}, 'Delete your account'),
        remove,
    );
}
