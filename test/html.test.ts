import { describe, expect, it } from 'vitest';
import { filledIn, Page } from '../src/probe/html.js';
import { navigationHeaders } from '../src/probe/navigation.js';

const at = 'http://127.0.0.1:3000/welcome';

describe('the HTML reader', () => {
  it('reads a field by its name attribute, wherever data-name stands', () => {
    const [form] = new Page(
      '<form data-name="first" method=post action=/setName><input data-name="first" name="name" value="x"></form>',
      at,
    ).forms();
    expect(form.fields).toEqual(['name']);
    expect(form.entries).toEqual([['name', 'x']]);
    expect(form.action).toBe('http://127.0.0.1:3000/setName');
  });

  it('decodes any character reference in a token and an action', () => {
    const [form] = new Page(
      `<form method="POST" action="&#x2F;setName?a=1&amp;b=2"><input type=hidden name=_csrf value="a&#43;b&#x2F;c&plus;d"></form>`,
      at,
    ).forms();
    expect(form.method).toBe('post');
    expect(form.action).toBe('http://127.0.0.1:3000/setName?a=1&b=2');
    expect(form.entries).toEqual([['_csrf', 'a+b/c+d']]);
  });

  it('sends what a browser sends untouched: checked boxes, selected options, textareas, no buttons or disabled fields', () => {
    const [form] = new Page(
      `<form method=post action=/setName>
        <input name=name><input type=checkbox name=remember checked><input type=checkbox name=spam>
        <input type=radio name=size value=s><input type=radio name=size value=m checked>
        <select name=lang><option>en</option><option value=fr selected>French</option></select>
        <select name=first><option> one </option><option>two</option></select>
        <textarea name=note>hi &amp; bye</textarea><input name=off disabled value=1>
        <button name=go value=1>Go</button><input type=submit name=send value=Send>
      </form>`,
      at,
    ).forms();
    expect(form.entries).toEqual([
      ['name', ''],
      ['remember', 'on'],
      ['size', 'm'],
      ['lang', 'fr'],
      ['first', 'one'],
      ['note', 'hi & bye'],
    ]);
    expect(filledIn(form, { name: 'Ada' })).toMatchObject({ name: 'Ada', remember: 'on' });
  });

  it('reads the text of a page, any escaping decoded, without the tutor’s panel', () => {
    const page = new Page(
      '<h1>&lt;b&#x3E;Eve&#x2F;&#43;</b></h1><aside class="server-sees">Grace</aside>',
      at,
    );
    expect(page.text()).toBe('<b>Eve/+');
    expect(page.madeElement('<b>Eve</b>')).toBe(false);
    expect(page.keyLine()).toBe('<h1>&lt;b&gt;Eve/+</h1>');
  });

  it('tells an element the name made from the name shown as text', () => {
    expect(new Page('<h1><b>Eve</b></h1>', at).madeElement('<b>Eve</b>')).toBe(true);
    expect(new Page('<h1>&lt;b&gt;Eve&lt;/b&gt;</h1>', at).madeElement('<b>Eve</b>')).toBe(false);
    const script = '<script>alert(document.cookie)</script>';
    expect(new Page(`<h1>${script}</h1>`, at).madeElement(script)).toBe(true);
  });
});

describe('the headers of a form submission', () => {
  it('same origin: Origin, the whole Referer and Sec-Fetch-* to a loopback address', () => {
    expect(navigationHeaders(at, 'http://127.0.0.1:3000/setName', 'post')).toEqual({
      origin: 'http://127.0.0.1:3000',
      referer: 'http://127.0.0.1:3000/welcome',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    });
  });

  it('from another site: only the origin as Referer; no Sec-Fetch-* to a plain http host on the web', () => {
    expect(navigationHeaders('http://evil.example/x', `${at}`, 'post')).toMatchObject({
      origin: 'http://evil.example',
      referer: 'http://evil.example/',
      'sec-fetch-site': 'cross-site',
    });
    expect(navigationHeaders(at, 'http://app.example/setName', 'get')).toEqual({
      referer: 'http://127.0.0.1:3000/',
    });
  });
});
