// The web store: a single-page app routed by the URL's hash — #/, #/category/ID, #/product/ID, #/search?q=…,
// #/cart, #/checkout, #/confirmation/ID, #/orders, #/orders/ID, #/login, #/register, #/account. Every view fetches
// what it shows from the public API; the cart, the checkout, orders and the account page live in their own modules.
import { currencyDigits, el, formatMoney } from './api.js';
import { accountView } from './store-account.js';
import { addToCart, cartView, checkoutView, confirmationView, mergeGuestCart, onCartCount, refreshCartCount } from './store-cart.js';
import { orderView, ordersView } from './store-orders.js';
import { clearMessages, client, field, href, money, productHref, queryString, showError, showNotice } from './store-ui.js';

const app = document.getElementById('app');
const categoryNav = document.getElementById('category-nav');
const searchInput = document.getElementById('search-input');
const PAGE_SIZE = 20;
const RECOMMENDATIONS = 4;
const categoryById = new Map();
// No endpoint names the shop's currency: price filters use the currency of the last prices shown.
let shopCurrency = 'EUR';
let renderCount = 0;
let cartCount = 0;

// MARK: - Small helpers

function categoryHref(id) {
    return href(`/category/${encodeURIComponent(id)}`);
}

function price(minorUnits, currency) {
    shopCurrency = currency;
    return formatMoney(minorUnits, currency);
}

/** Product images do not exist yet: a coloured block with the category's initial stands in for them. */
function placeholder(categoryId, size) {
    const name = categoryById.get(categoryId)?.name ?? categoryId ?? '?';
    const block = el('div', { class: `placeholder ${size}`, 'aria-hidden': 'true' }, name.charAt(0).toUpperCase());
    let root = categoryId;
    while (categoryById.get(root)?.parent) root = categoryById.get(root).parent;
    let hue = 0;
    for (const char of String(root)) hue = (hue * 31 + char.codePointAt(0)) % 360;
    block.style.setProperty('--hue', String(hue));
    return block;
}

/**
 * Sets search highlighting, which the API sends as escaped text with <mark> around matches. Anything else than
 * bare <mark> elements means the contract was broken: then only the text is shown.
 */
function setHighlighted(node, html) {
    const template = document.createElement('template');
    template.innerHTML = html ?? '';
    const onlyMarks = [...template.content.querySelectorAll('*')].every(
        (element) => element.localName === 'mark' && element.attributes.length === 0,
    );
    if (onlyMarks) node.replaceChildren(template.content);
    else node.textContent = template.content.textContent;
    return node;
}

// MARK: - Routing

function currentRoute() {
    const hash = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
    const queryStart = hash.indexOf('?');
    const path = queryStart < 0 ? hash : hash.slice(0, queryStart);
    const params = new URLSearchParams(queryStart < 0 ? '' : hash.slice(queryStart + 1));
    const parts = path.split('/').filter(Boolean).map((part) => {
        try {
            return decodeURIComponent(part);
        } catch {
            return part;
        }
    });
    return { name: parts[0] ?? '', arg: parts[1], params };
}

const views = {
    '': productsView,
    category: productsView,
    product: productView,
    search: searchView,
    login: loginView,
    register: registerView,
    account: accountView,
    cart: cartView,
    checkout: checkoutView,
    confirmation: confirmationView,
    orders: (route) => (route.arg ? orderView(route) : ordersView(route)),
};

async function render() {
    const ticket = ++renderCount;
    const route = { ...currentRoute(), isCurrent: () => ticket === renderCount };
    clearMessages();
    renderAccountNav();
    markCategory(route.name === 'category' ? route.arg : route.params.get('category'));
    searchInput.value = route.name === 'search' ? (route.params.get('q') ?? '') : '';
    app.setAttribute('aria-busy', 'true');
    try {
        const view = views[route.name] ?? notFoundView;
        const node = await view(route);
        if (route.isCurrent()) app.replaceChildren(node);
    } catch (error) {
        if (!route.isCurrent()) return;
        app.replaceChildren(el('h1', {}, 'Something went wrong'));
        showError(error);
    } finally {
        if (route.isCurrent()) app.removeAttribute('aria-busy');
    }
}

function notFoundView() {
    document.title = 'Not found · Emporium';
    return el('section', {}, el('h1', {}, 'Page not found'), el('p', {}, el('a', { href: '#/' }, 'Back to the store')));
}

// MARK: - Navigation

async function loadCategories() {
    let categories = [];
    try {
        categories = await client.request('/api/v1/categories');
    } catch (error) {
        showError(error);
        return;
    }
    for (const category of categories) categoryById.set(category.id, category);
    const tree = (parent) => {
        const children = categories.filter((category) => (category.parent ?? null) === parent);
        if (children.length === 0) return null;
        return el(
            'ul',
            {},
            children.map((category) =>
                el(
                    'li',
                    {},
                    el('a', { class: 'category-link', href: categoryHref(category.id), 'data-category-id': category.id }, category.name),
                    tree(category.id),
                ),
            ),
        );
    };
    categoryNav.append(tree(null) ?? el('p', {}, 'No categories.'));
}

function markCategory(id) {
    for (const link of categoryNav.querySelectorAll('.category-link')) {
        if (link.dataset.categoryId === id) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
    }
}

function renderAccountNav() {
    const nav = document.getElementById('account-nav');
    const user = client.session?.user;
    const cart = el(
        'a',
        { href: '#/cart', id: 'cart-link', 'aria-label': `Cart, ${cartCount} ${cartCount === 1 ? 'item' : 'items'}` },
        'Cart ',
        el('span', { id: 'cart-count', class: 'count-badge' }, String(cartCount)),
    );
    if (user) {
        nav.replaceChildren(cart, el('a', { href: '#/orders', id: 'orders-nav' }, 'Orders'), el('a', { href: '#/account', id: 'account-link' }, 'Account'), el('span', { class: 'muted' }, user.email));
    } else {
        nav.replaceChildren(cart, el('a', { href: '#/login', id: 'login-link' }, 'Log in'), el('a', { href: '#/register', id: 'register-link' }, 'Register'));
    }
}

function breadcrumb(categoryId, last) {
    const trail = [];
    for (let id = categoryId; id && categoryById.has(id); id = categoryById.get(id).parent) trail.unshift(categoryById.get(id));
    return el(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        el(
            'ol',
            {},
            el('li', {}, el('a', { href: '#/' }, 'Home')),
            trail.map((category) => el('li', {}, el('a', { href: categoryHref(category.id) }, category.name))),
            last && el('li', { 'aria-current': 'page' }, last),
        ),
    );
}

// MARK: - Product lists

function productCard(product) {
    return el(
        'li',
        { class: 'product-card', 'data-product-id': product.id },
        el('a', { class: 'card-link', href: productHref(product.id) }, placeholder(product.category, 'thumb'), el('span', { class: 'card-name' }, product.name)),
        el('p', { class: 'price' }, price(product.price.minorUnits, product.price.currency)),
    );
}

/** A min/max price form in major units; calls `apply(minMinor, maxMinor)` with minor units or null. */
function priceFilter(params, apply) {
    const scale = 10 ** currencyDigits(shopCurrency);
    const major = (minor) => (minor ? String(Number(minor) / scale) : '');
    const input = (id, value) => el('input', { id, type: 'number', min: 0, step: 'any', inputmode: 'decimal', value: major(value) });
    const min = input('min-price', params.get('minPrice'));
    const max = input('max-price', params.get('maxPrice'));
    const minor = (text) => (text === '' ? null : Math.round(Number(text) * scale));
    const submit = (event) => {
        event.preventDefault();
        apply(minor(min.value), minor(max.value));
    };
    return el(
        'form',
        { class: 'price-filter', 'aria-label': 'Price filter', onsubmit: submit },
        field(`Min price (${shopCurrency})`, min),
        field(`Max price (${shopCurrency})`, max),
        el('button', { type: 'submit' }, 'Apply'),
    );
}

async function productsView({ name, arg, params, isCurrent }) {
    const category = name === 'category' ? (categoryById.get(arg) ?? { id: arg, name: arg }) : null;
    const title = category?.name ?? 'All products';
    document.title = `${title} · Emporium`;
    const filters = { category: category?.id, minPrice: params.get('minPrice'), maxPrice: params.get('maxPrice') };
    const list = el('ul', { id: 'product-list', class: 'product-grid' });
    const status = el('p', { class: 'status', 'aria-live': 'polite' });
    const previous = el('button', { type: 'button' }, '← Previous');
    const next = el('button', { type: 'button' }, 'Next →');
    // The API pages with opaque cursors that only go forward: a stack of the cursors used lets "Previous" go back.
    const cursors = [null];
    let nextCursor = null;

    async function load() {
        const page = await client.request(`/api/v1/products?${queryString({ ...filters, cursor: cursors.at(-1), limit: PAGE_SIZE })}`);
        if (!isCurrent()) return;
        nextCursor = page.nextCursor;
        list.replaceChildren(...page.products.map(productCard));
        status.textContent =
            page.products.length === 0 ? 'No products match.' : `Page ${cursors.length} · ${page.products.length} products`;
    }
    async function turn(forward) {
        const saved = [...cursors];
        if (forward) cursors.push(nextCursor);
        else cursors.pop();
        previous.disabled = next.disabled = true;
        clearMessages();
        try {
            await load();
            list.scrollIntoView({ block: 'nearest' });
        } catch (error) {
            cursors.splice(0, cursors.length, ...saved);
            showError(error);
        }
        previous.disabled = cursors.length === 1;
        next.disabled = !nextCursor;
    }
    previous.addEventListener('click', () => turn(false));
    next.addEventListener('click', () => turn(true));

    await load();
    previous.disabled = true;
    next.disabled = !nextCursor;
    const path = category ? `/category/${encodeURIComponent(category.id)}` : '/';
    const filter = priceFilter(params, (minPrice, maxPrice) => {
        location.hash = href(path, { minPrice, maxPrice });
    });
    return el(
        'section',
        { class: 'listing' },
        !category && client.session && recommendations('/api/v1/me/recommendations', { id: 'recommended', title: 'Recommended for you', auth: true, limit: 6 }),
        category && breadcrumb(category.parent),
        el('h1', {}, title),
        el('div', { class: 'toolbar' }, filter),
        status,
        list,
        el('nav', { class: 'pager', 'aria-label': 'Pages' }, previous, next),
    );
}

// MARK: - Search

async function searchView({ params }) {
    const q = (params.get('q') ?? '').trim();
    document.title = q ? `“${q}” · Emporium` : 'Search · Emporium';
    if (!q) return el('section', {}, el('h1', {}, 'Search'), el('p', {}, 'Type what you are looking for in the search box.'));
    const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
    const category = params.get('category');
    const sort = params.get('sort') ?? 'relevance';
    const request = { q, category, minPrice: params.get('minPrice'), maxPrice: params.get('maxPrice'), sort, limit: PAGE_SIZE, offset };
    const results = await client.request(`/api/v1/search?${queryString(request)}`);
    const link = (changes) => href('/search', { ...request, limit: null, offset: null, sort: sort === 'relevance' ? null : sort, ...changes });

    const facets = el(
        'ul',
        { id: 'search-facets', class: 'facets' },
        el('li', {}, el('a', { class: 'facet-all', href: link({ category: null }), 'aria-current': !category && 'true' }, 'All categories')),
        results.facets.map((facet) =>
            el(
                'li',
                {},
                el(
                    'a',
                    { class: 'facet', href: link({ category: facet.category }), 'data-category': facet.category, 'aria-current': facet.category === category && 'true' },
                    categoryById.get(facet.category)?.name ?? facet.category,
                    ' ',
                    el('span', { class: 'count' }, facet.count),
                ),
            ),
        ),
    );
    const sortSelect = el(
        'select',
        { id: 'sort', onchange: (event) => (location.hash = link({ sort: event.target.value === 'relevance' ? null : event.target.value })) },
        [
            ['relevance', 'Relevance'],
            ['price-asc', 'Price: low to high'],
            ['price-desc', 'Price: high to low'],
            ['name', 'Name'],
        ].map(([value, label]) => el('option', { value, selected: value === sort }, label)),
    );
    const hits = results.hits.map((hit) =>
        el(
            'li',
            { class: 'search-hit', 'data-product-id': hit.productID },
            placeholder(hit.category, 'thumb small'),
            el(
                'div',
                {},
                el('h2', {}, setHighlighted(el('a', { href: productHref(hit.productID) }), hit.highlightedName)),
                setHighlighted(el('p', { class: 'snippet' }), hit.snippet),
                el(
                    'p',
                    { class: 'meta' },
                    el('span', { class: 'price' }, price(hit.priceMinorUnits, hit.currency)),
                    ' · ',
                    el('a', { href: categoryHref(hit.category) }, categoryById.get(hit.category)?.name ?? hit.category),
                ),
            ),
        ),
    );
    const total = `${results.total}${results.approximate ? ' for similar words' : ''}`;
    const shown = results.hits.length ? `${offset + 1}–${offset + results.hits.length} of ${total}` : 'No';
    const pageLink = (label, target, enabled) =>
        enabled ? el('a', { class: 'button', href: link({ offset: target || null }) }, label) : el('span', { class: 'button', 'aria-disabled': 'true' }, label);
    return el(
        'section',
        { class: 'search' },
        el('h1', {}, 'Results for “', q, '”'),
        el(
            'div',
            { class: 'search-layout' },
            el('aside', { 'aria-label': 'Refine' }, el('h2', {}, 'Categories'), facets),
            el(
                'div',
                {},
                el(
                    'div',
                    { class: 'toolbar' },
                    field('Sort by', sortSelect),
                    priceFilter(params, (minPrice, maxPrice) => (location.hash = link({ minPrice, maxPrice }))),
                ),
                el('p', { class: 'status', 'aria-live': 'polite' }, `${shown} results`),
                el('ol', { id: 'search-results', class: 'hits' }, hits),
                el(
                    'nav',
                    { class: 'pager', 'aria-label': 'Pages' },
                    pageLink('← Previous', Math.max(0, offset - PAGE_SIZE), offset > 0),
                    pageLink('Next →', offset + PAGE_SIZE, offset + results.hits.length < results.total),
                ),
            ),
        ),
    );
}

// MARK: - Product page

async function productView({ arg, isCurrent }) {
    const product = await client.request(`/api/v1/products/${encodeURIComponent(arg ?? '')}`);
    document.title = `${product.name} · Emporium`;
    // Recommendations learn from what people look at; a failure to tell them is not the shopper's business.
    client.call('/api/v1/events/product-viewed', { method: 'POST', body: { productId: product.id }, auth: Boolean(client.session) }).catch(() => {});
    const attributes = Object.entries(product.attributes ?? {});
    const label = (key) => key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');
    const stock = el('p', { id: 'availability', class: 'availability', 'aria-live': 'polite' });
    client
        .request(`/api/v1/products/${encodeURIComponent(product.id)}/availability`)
        .then((availability) => {
            if (!isCurrent()) return;
            const text = { 'in-stock': 'In stock', 'low-stock': `Only ${availability.available} left`, 'out-of-stock': 'Out of stock' }[availability.status];
            stock.replaceChildren(el('span', { class: `badge ${availability.status === 'in-stock' ? 'ok' : availability.status === 'low-stock' ? 'warn' : 'bad'}` }, text ?? availability.status));
        })
        .catch(() => {});
    return el(
        'article',
        { id: 'product-detail', class: 'product-detail', 'data-product-id': product.id },
        breadcrumb(product.category, product.name),
        el(
            'div',
            { class: 'detail-grid' },
            placeholder(product.category, 'hero'),
            el(
                'div',
                {},
                el('h1', {}, product.name),
                el('p', { class: 'price large' }, price(product.price.minorUnits, product.price.currency)),
                stock,
                product.active === false ? el('p', { class: 'notice' }, 'This product is no longer sold.') : addToCartForm(product),
                el('p', { class: 'description' }, product.description),
                attributes.length > 0 &&
                    el(
                        'table',
                        { class: 'attributes' },
                        el('caption', {}, 'Details'),
                        el('tbody', {}, attributes.map(([key, value]) => el('tr', {}, el('th', { scope: 'row' }, label(key)), el('td', {}, String(value))))),
                    ),
                el('p', { class: 'muted' }, `SKU ${product.sku}`),
            ),
        ),
        recommendations(`/api/v1/products/${encodeURIComponent(product.id)}/recommendations`, { id: 'also-bought', title: 'Customers who bought this also bought', limit: RECOMMENDATIONS }),
    );
}

function addToCartForm(product) {
    const quantity = el('input', { id: 'quantity', type: 'number', min: 1, max: 99, value: 1, required: true, inputmode: 'numeric' });
    const button = el('button', { type: 'submit', id: 'add-to-cart' }, 'Add to cart');
    const submit = async (event) => {
        event.preventDefault();
        const count = Number.parseInt(quantity.value, 10);
        if (!(count >= 1 && count <= 99)) return showError(new Error('Choose a quantity from 1 to 99.'));
        button.disabled = true;
        try {
            await addToCart(product.id, count);
            showNotice(`${count} × ${product.name} ${count === 1 ? 'is' : 'are'} in your cart. `, el('a', { href: '#/cart', id: 'view-cart' }, 'View your cart'));
        } catch (error) {
            showError(error);
        } finally {
            button.disabled = false;
        }
    };
    return el('form', { id: 'add-to-cart-form', class: 'add-to-cart', onsubmit: submit }, field('Quantity', quantity), button);
}

/**
 * A row of recommended products from `path` (`{items: [{productId, name, price, score, reason}], strategy}`),
 * filled in when they arrive. The section stays hidden when there are none or the request fails: recommendations
 * are a courtesy, and the service may not be there at all.
 */
function recommendations(path, { id, title, auth = false, limit }) {
    const heading = el('h2', { id: `${id}-title` }, title);
    const list = el('ul', { class: 'product-grid compact' });
    const section = el('section', { id, class: 'recommendations', 'aria-labelledby': heading.id, hidden: true }, heading, list);
    client
        .request(`${path}?limit=${limit}`, { auth })
        .then((answer) => {
            const items = (answer?.items ?? []).filter((item) => item?.productId && item?.name);
            if (items.length === 0) return;
            // Without a history to go on, the service answers with what sells: say so.
            if (/popular/i.test(answer.strategy ?? '')) heading.textContent = 'Popular right now';
            list.replaceChildren(...items.map(recommendationCard));
            section.hidden = false;
        })
        .catch(() => {});
    return section;
}

function recommendationCard(item) {
    const initial = el('div', { class: 'placeholder thumb', 'aria-hidden': 'true' }, item.name.charAt(0).toUpperCase());
    let hue = 0;
    for (const char of String(item.productId)) hue = (hue * 31 + char.codePointAt(0)) % 360;
    initial.style.setProperty('--hue', String(hue));
    return el(
        'li',
        { class: 'product-card', 'data-product-id': item.productId, title: item.reason ?? '' },
        el('a', { class: 'card-link', href: productHref(item.productId) }, initial, el('span', { class: 'card-name' }, item.name)),
        item.price && el('p', { class: 'price' }, money(item.price)),
    );
}

// MARK: - Logging in

function authForm({ id, title, submitLabel, newPassword, onSubmit, footer }) {
    const email = el('input', { id: `${id}-email`, type: 'email', autocomplete: 'email', required: true });
    const password = el('input', {
        id: `${id}-password`,
        type: 'password',
        required: true,
        autocomplete: newPassword ? 'new-password' : 'current-password',
        minlength: newPassword ? 10 : null,
    });
    const button = el('button', { type: 'submit' }, submitLabel);
    const submit = async (event) => {
        event.preventDefault();
        button.disabled = true;
        clearMessages();
        try {
            await onSubmit(email.value, password.value);
        } catch (error) {
            showError(error);
        } finally {
            button.disabled = false;
        }
    };
    return el(
        'form',
        { id, class: 'card auth-form', onsubmit: submit },
        el('h1', {}, title),
        field('Email', email),
        field('Password', password, newPassword && 'At least 10 characters.'),
        button,
        footer,
    );
}

/** Where to go after logging in: the `next` path the page was asked with (the checkout), else the account. */
function afterLogin(params) {
    const next = params.get('next');
    return next && next.startsWith('/') && !next.startsWith('//') ? `#${next}` : '#/account';
}

function loginView({ params }) {
    document.title = 'Log in · Emporium';
    return authForm({
        id: 'login',
        title: 'Log in',
        submitLabel: 'Log in',
        onSubmit: async (email, password) => {
            await client.login(email, password);
            await mergeGuestCart();
            location.hash = afterLogin(params);
        },
        footer: el('p', {}, 'New here? ', el('a', { href: href('/register', { next: params.get('next') }) }, 'Create an account')),
    });
}

function registerView({ params }) {
    document.title = 'Register · Emporium';
    return authForm({
        id: 'register',
        title: 'Create an account',
        submitLabel: 'Register',
        newPassword: true,
        onSubmit: async (email, password) => {
            await client.request('/api/v1/auth/register', { method: 'POST', body: { email, password } });
            await client.login(email, password);
            await mergeGuestCart();
            location.hash = afterLogin(params);
        },
        footer: el('p', {}, 'Have an account? ', el('a', { href: href('/login', { next: params.get('next') }) }, 'Log in')),
    });
}

// MARK: - Start

document.getElementById('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = searchInput.value.trim();
    if (q) location.hash = href('/search', { q });
});
const categoriesLoaded = loadCategories();
window.addEventListener('hashchange', async () => {
    // Other hashes are in-page anchors, such as the skip link.
    if (location.hash && !location.hash.startsWith('#/')) return;
    await render();
    app.focus({ preventScroll: true });
    window.scrollTo(0, 0);
});
onCartCount((count) => {
    cartCount = count;
    renderAccountNav();
});
refreshCartCount();
await categoriesLoaded;
await render();
