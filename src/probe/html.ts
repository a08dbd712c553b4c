/**
 * The one place session-tutor reads HTML: with parse5, which parses a page as the HTML standard
 * says a browser must, so attributes in any order, any valid character reference (`&#x2F;`,
 * `&#43;`) and unclosed tags read as they do in a browser.
 */
import { type DefaultTreeAdapterMap, parse, parseFragment, serializeOuter } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
export type Element = DefaultTreeAdapterMap['element'];

/** A form of a page, as a browser would submit it. */
export interface PageForm {
  /** `get` or `post` (lower case), `get` when the form does not say. */
  method: string;
  /** Absolute: the form's action resolved against the page's base address. */
  action: string;
  /** The form's start tag as written, for evidence: `<form method="post" action="/setName">`. */
  tag: string;
  /** The names of all its fields (input, select, textarea), in order. */
  fields: string[];
  /**
   * What a browser sends when the form is submitted untouched: every successful control (hidden
   * inputs, other inputs' default values, checked boxes and radios, selected options, textareas),
   * in document order. The HTML standard's "constructing the entry list", without files.
   */
  entries: [string, string][];
}

/** A page parsed once, with the questions the checks ask of it. */
export class Page {
  private readonly root: DefaultTreeAdapterMap['document'];

  constructor(
    html: string,
    /** The address the page was fetched from, against which its links resolve. */
    readonly url: string,
  ) {
    this.root = parse(html);
  }

  /** Every element with this tag name, in document order. */
  elements(tag: string): Element[] {
    return elementsIn(this.root, tag);
  }

  /** Every form, in document order. */
  forms(): PageForm[] {
    const base = this.elements('base').find((b) => attribute(b, 'href') !== undefined);
    const baseUrl = resolve(attribute(base, 'href') ?? '', this.url) ?? this.url;
    return this.elements('form').map((form) => {
      const controls = elementsIn(form, 'input', 'select', 'textarea', 'button');
      return {
        method: (attribute(form, 'method') ?? 'get').toLowerCase(),
        action: resolve(attribute(form, 'action') ?? '', baseUrl) ?? this.url,
        tag: startTag(form),
        fields: controls
          .filter((c) => c.tagName !== 'button')
          .flatMap((c) => attribute(c, 'name') ?? []),
        entries: controls.flatMap(entriesOf),
      };
    });
  }

  /**
   * The text a reader sees (every text node, references decoded), without the tutor's "What the
   * server sees" panel, which shows the stored session on purpose, even on a stage that does not
   * read it back yet.
   */
  text(): string {
    return textOf(this.root, (el) => !isPanel(el) && !unseen.includes(el.tagName));
  }

  /**
   * True when `markup` (such as `<b>Eve</b>`), put into this page, became an element of the page:
   * an element of its first tag holding its text, outside the tutor's panel.
   */
  madeElement(markup: string): boolean {
    const [made] = elementsIn(parseFragment(markup), '*');
    if (!made) return false;
    const wanted = textOf(made);
    return this.elements(made.tagName).some(
      (el) => textOf(el) === wanted && !ancestors(el).some(isPanel),
    );
  }

  /** The page's first <h1> as written (whitespace collapsed), else its first line of text. */
  keyLine(): string {
    const [heading] = this.elements('h1');
    if (heading) return serializeOuter(heading).replace(/\s+/g, ' ').trim();
    return (
      this.text()
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? ''
    );
  }
}

/** What a page was fetched as: a Hop of src/probe/visitor.ts, or anything with its body and address. */
export interface Fetched {
  body: string;
  url: string;
}

const parsed = new WeakMap<Fetched, Page>();

/** The page a response answered with, parsed once. */
export function pageOf(fetched: Fetched): Page {
  let page = parsed.get(fetched);
  if (!page) {
    page = new Page(fetched.body, fetched.url);
    parsed.set(fetched, page);
  }
  return page;
}

/** Every form of the page a response answered with, in order; none when there was no response. */
export function formsOf(fetched: Fetched | undefined): PageForm[] {
  return fetched ? pageOf(fetched).forms() : [];
}

/** The page's first form that posts to `path` (such as /setName), if it has one. */
export function formPostingTo(fetched: Fetched | undefined, path: string): PageForm | undefined {
  return formsOf(fetched).find((f) => f.method === 'post' && new URL(f.action).pathname === path);
}

/**
 * The form a visitor signs in with: the page's form that posts to `path`, else (a page already
 * signed in) its first form that posts, sent to `path`, so its hidden fields (a CSRF token) go
 * along.
 */
export function signInFormOf(fetched: Fetched | undefined, path: string): PageForm | undefined {
  const posting = formsOf(fetched).find((f) => f.method === 'post');
  return (
    formPostingTo(fetched, path) ??
    (posting && { ...posting, action: new URL(path, posting.action).href })
  );
}

/**
 * The fields a browser sends when the visitor types `typed` into a form and submits it: the
 * form's own entries with the typed values in place (a field the form lacks is added).
 */
export function filledIn(form: PageForm, typed: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries) fields[name] ??= value;
  return { ...fields, ...typed };
}

/** An attribute's value (references decoded), or undefined when the element does not have it. */
export function attribute(element: Element | undefined, name: string): string | undefined {
  return element?.attrs.find((a) => a.name === name)?.value;
}

/** The text of a node and everything in it, entering only the elements `enter` allows. */
export function textOf(node: Node, enter: (el: Element) => boolean = () => true): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  if (!('childNodes' in node)) return '';
  if ('tagName' in node && !enter(node)) return '';
  return node.childNodes.map((child) => textOf(child, enter)).join('');
}

function elementsIn(node: Node, ...tags: string[]): Element[] {
  const found: Element[] = [];
  const walk = (n: Node) => {
    if ('tagName' in n && (tags.includes('*') || tags.includes(n.tagName))) found.push(n);
    if ('childNodes' in n) for (const child of n.childNodes) walk(child);
  };
  if ('childNodes' in node) for (const child of node.childNodes) walk(child);
  return found;
}

function ancestors(element: Element): Element[] {
  const list: Element[] = [];
  for (let at = element.parentNode; at && 'tagName' in at; at = at.parentNode) list.push(at);
  return list;
}

// elements whose text a reader never sees
const unseen = ['script', 'style', 'template'];

// src/stage/panel.ts's <aside class="server-sees">
const isPanel = (el: Element) =>
  el.tagName === 'aside' && (attribute(el, 'class') ?? '').split(/\s+/).includes('server-sees');

function resolve(href: string, base: string): string | undefined {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return undefined;
  }
}

function startTag(element: Element): string {
  const attrs = element.attrs.map((a) => ` ${a.name}="${a.value.replaceAll('"', '&quot;')}"`);
  return `<${element.tagName}${attrs.join('')}>`;
}

/** One control's part of the entry list (HTML standard, "constructing the entry list"). */
function entriesOf(control: Element): [string, string][] {
  const name = attribute(control, 'name');
  // disabled controls, controls without a name and buttons (only the one clicked is sent) are left out
  if (!name || attribute(control, 'disabled') !== undefined || control.tagName === 'button') {
    return [];
  }
  if (control.tagName === 'textarea') return [[name, textOf(control)]];
  if (control.tagName === 'select') {
    const options = elementsIn(control, 'option').filter(
      (o) => attribute(o, 'disabled') === undefined,
    );
    const chosen = options.filter((o) => attribute(o, 'selected') !== undefined);
    // a single select with nothing marked selected shows, and sends, its first option
    const sent =
      chosen.length > 0 || attribute(control, 'multiple') !== undefined
        ? chosen
        : options.slice(0, 1);
    return sent.map((o) => [name, attribute(o, 'value') ?? textOf(o).replace(/\s+/g, ' ').trim()]);
  }
  const type = (attribute(control, 'type') ?? 'text').toLowerCase();
  if (['submit', 'reset', 'button', 'image', 'file'].includes(type)) return [];
  if (type === 'checkbox' || type === 'radio') {
    return attribute(control, 'checked') === undefined
      ? []
      : [[name, attribute(control, 'value') ?? 'on']];
  }
  return [[name, attribute(control, 'value') ?? '']];
}
