// One modal dialog (the native <dialog>: focus is trapped and Escape closes it).
import { $, h } from './dom.js';

/**
 * Shows a form with {@code fields}; {@code onSubmit(form)} runs on submit and may throw, which
 * shows the message in the dialog and keeps it open. The dialog closes when it resolves.
 */
export function openDialog(title, fields, submitLabel, onSubmit, submitTestId) {
  const dialog = $('#dialog');
  const error = h('p.error', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit', 'data-testid': submitTestId }, submitLabel);
  const form = h('form', { method: 'dialog' },
    h('h3', title), fields, error,
    h('div.row', { style: 'justify-content:flex-end' },
      h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel'), submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      await onSubmit(form);
      dialog.close();
    } catch (err) {
      error.textContent = err.message;
    } finally {
      submit.disabled = false;
    }
  });
  dialog.replaceChildren(form);
  dialog.showModal();
  form.querySelector('input:not([type=checkbox]):not([type=file]), select')?.focus();
}
