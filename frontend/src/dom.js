// DOM building for the forms of the editors and the citizens. Data only ever goes into the page as
// textContent, attribute values or input values: never as HTML.

/**
 * h('p', {class: 'msg', id: 'x'}, 'text', child) -> element. Attributes: `class`, `text`
 * (textContent), `on<event>` (listener), `hidden`, `checked`, `disabled`, `value` (set after the
 * children, so a <select> keeps it); others with setAttribute. null/undefined/false are left out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'hidden' || k === 'checked' || k === 'disabled' || k === 'required') el[k] = Boolean(v);
    else if (k === 'value') value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  if (value !== undefined) el.value = String(value);
  return el;
}

/** Replaces the children of an element. */
export function replace(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/**
 * The fields of one form with their labels, hints and inline errors. Each field gets
 * `<prefix>-<name>` as id, its hint `…-hint`, its error `…-error` (aria-describedby, aria-invalid).
 */
export class FormFields {
  constructor(prefix) {
    this.prefix = prefix;
    this.fields = new Map(); // name -> {inputs, focus, error, hint, wrap}
  }

  id(name) {
    return `${this.prefix}-${String(name).replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  _register(name, { inputs, focus, error, hint, wrap }) {
    this.fields.set(name, { inputs, focus: focus || inputs[0], error, hint, wrap });
    for (const i of inputs) this._describe(i, hint, null);
  }

  _describe(input, hint, error) {
    const ids = [hint && hint.id, error && error.id].filter(Boolean);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
  }

  _hint(name, text) {
    return text ? h('p', { class: 'hint', id: `${this.id(name)}-hint`, text }) : null;
  }

  _error(name) {
    return h('p', { class: 'field-error', id: `${this.id(name)}-error`, hidden: true });
  }

  /** A text input or textarea. opts: {type, hint, required, rows, attrs, dir, labelLang} */
  text(name, label, value, opts = {}) {
    const id = this.id(name);
    const attrs = { id, name, ...(opts.attrs || {}) };
    if (opts.required) attrs['aria-required'] = 'true';
    if (opts.dir) attrs.dir = opts.dir;
    const input = opts.rows
      ? h('textarea', { ...attrs, rows: opts.rows, value })
      : h('input', { ...attrs, type: opts.type || 'text', value });
    const hint = this._hint(name, opts.hint);
    const error = this._error(name);
    const wrap = h('div', { class: 'field' },
      h('label', { for: id }, label, opts.required ? h('span', { class: 'req', text: ` ${opts.requiredMark || '*'}` }) : null),
      hint, input, error);
    this._register(name, { inputs: [input], error, hint, wrap });
    return wrap;
  }

  /** A <select>. options: [{value, label}] */
  select(name, label, options, value, opts = {}) {
    const id = this.id(name);
    const select = h('select', { id, name, 'aria-required': opts.required ? 'true' : null },
      options.map((o) => h('option', { value: o.value, text: o.label })));
    select.value = value ?? '';
    const hint = this._hint(name, opts.hint);
    const error = this._error(name);
    const wrap = h('div', { class: 'field' },
      h('label', { for: id }, label, opts.required ? h('span', { class: 'req', text: ` ${opts.requiredMark || '*'}` }) : null),
      hint, select, error);
    this._register(name, { inputs: [select], error, hint, wrap });
    return wrap;
  }

  /** Checkboxes in a fieldset. options: [{value, label}]; values: the checked ones. */
  checks(name, legend, options, values = []) {
    const inputs = [];
    const boxes = options.map((o) => {
      const id = `${this.id(name)}-${o.value}`;
      const input = h('input', { type: 'checkbox', id, name, value: o.value, checked: values.includes(o.value) });
      inputs.push(input);
      return h('label', { for: id }, input, ' ', h('span', { text: o.label }));
    });
    const error = this._error(name);
    const fs = h('fieldset', { class: 'field', id: this.id(name) }, h('legend', { text: legend }), h('div', { class: 'checks' }, boxes), error);
    this._register(name, { inputs, error, hint: null, wrap: fs });
    return fs;
  }

  /** Registers inputs built elsewhere (the position: lon and lat) under one error. */
  group(name, inputs, error, hint = null) {
    this._register(name, { inputs, error, hint, wrap: null });
  }

  values() {
    const out = {};
    for (const [name, f] of this.fields) {
      if (f.inputs.length > 1 && f.inputs.every((i) => i.type === 'checkbox')) {
        out[name] = f.inputs.filter((i) => i.checked).map((i) => i.value);
      } else if (f.inputs.length === 1) {
        out[name] = f.inputs[0].value;
      }
    }
    return out;
  }

  clearErrors() {
    for (const f of this.fields.values()) {
      f.error.textContent = '';
      f.error.hidden = true;
      f.error.removeAttribute('lang');
      for (const i of f.inputs) {
        i.removeAttribute('aria-invalid');
        this._describe(i, f.hint, null);
      }
    }
  }

  /**
   * Shows errors [{field, message, lang}] at their fields. Returns {first, rest}: the first
   * invalid input (to focus) and the errors that have no field in this form.
   */
  showErrors(errors) {
    this.clearErrors();
    const rest = [];
    let first = null;
    const seen = new Map();
    for (const e of errors) {
      const f = this.fields.get(e.field);
      if (!f) { rest.push(e); continue; }
      const text = seen.has(e.field) ? `${seen.get(e.field)} ${e.message}` : e.message;
      seen.set(e.field, text);
      f.error.textContent = text;
      f.error.hidden = false;
      if (e.lang) f.error.setAttribute('lang', e.lang);
      for (const i of f.inputs) {
        i.setAttribute('aria-invalid', 'true');
        this._describe(i, f.hint, f.error);
      }
    }
    // the first in the order of the form
    for (const [name, f] of this.fields) {
      if (seen.has(name)) { first = f.focus; break; }
    }
    return { first, rest };
  }
}
