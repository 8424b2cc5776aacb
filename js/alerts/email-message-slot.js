// Workers' EmailMessage class (`import { EmailMessage } from 'cloudflare:email'`), handed over by
// the workerd entry (js/entry/alerts-workerd.js): the module exists only in workerd, so the code
// that builds messages does not import it and stays loadable (and testable) under Node.
let EmailMessageClass = null;

export function provideEmailMessage(cls) {
  EmailMessageClass = cls;
}

export function emailMessageClass() {
  return EmailMessageClass;
}
