import { describe, expect, it } from 'vitest';
import {
  defaultCaForm,
  defaultCsrSignForm,
  defaultExtendedKeyUsage,
  defaultIssueForm,
  defaultKeyUsage,
  emptySubject,
  errorInfo,
  implicitServerSans,
  parseSubjectAltNames,
  subjectPlaceholders,
  validateCaForm,
  validateCsrSignForm,
  validateForgeForm,
  validateIssueForm,
  validateNewPassphrase,
  validityLesson,
  signedExtensionsNote,
  extensionName,
} from '../../../src-renderer/src/lib/pki-forms';

describe('subject alternative names as a student types them', () => {
  it('tells DNS names, wildcards, IP addresses and emails apart and writes them as the engine wants', () => {
    expect(parseSubjectAltNames('www.bank32.com, *.bank32.com 127.0.0.1\n::1; admin@bank32.com')).toEqual({
      ok: true,
      names: ['DNS:www.bank32.com', 'DNS:*.bank32.com', 'IP:127.0.0.1', 'IP:::1', 'email:admin@bank32.com'],
    });
  });

  it('keeps prefixes written out, lower-cases DNS names and drops repeats', () => {
    expect(parseSubjectAltNames('DNS:WWW.Bank32.com ip:10.0.0.1 www.bank32.com URI:https://x.test/')).toEqual({
      ok: true,
      names: ['DNS:www.bank32.com', 'IP:10.0.0.1', 'URI:https://x.test/'],
    });
    expect(parseSubjectAltNames('  ')).toEqual({ ok: true, names: [] });
  });

  it('refuses a wildcard that is not the whole first label of a name with two more labels', () => {
    for (const bad of ['*.com', 'www.*.bank32.com', 'w*.bank32.com']) {
      const parsed = parseSubjectAltNames(bad);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error).toContain('wildcard');
    }
  });

  it('opens the issue form with a host name already typed, which becomes its SAN (Start here asks for a lab\'s second name so)', () => {
    const form = defaultIssueForm('Lab Issuing', 'www.example32.com');
    expect(form).toMatchObject({ ca: 'Lab Issuing', profile: 'server', subject: { CN: 'www.example32.com' } });
    expect(implicitServerSans(form)).toBe('DNS:www.example32.com');
    expect(defaultIssueForm('Lab Root').subject.CN).toBe('');
  });

  it('takes an internationalised name and writes it in the IDNA form the certificate carries, as the engine and browsers do', () => {
    expect(parseSubjectAltNames('bücher.example, *.bücher.example DNS:Bücher.lab.test')).toEqual({
      ok: true,
      names: ['DNS:xn--bcher-kva.example', 'DNS:*.xn--bcher-kva.example', 'DNS:xn--bcher-kva.lab.test'],
    });
    const form = defaultIssueForm('Lab Root');
    form.subject.CN = 'bücher.example';
    expect(implicitServerSans(form)).toBe('DNS:xn--bcher-kva.example');
    expect(validateForgeForm({ ca: 'Lab Root', hostname: 'bücher.example', templatePem: '' })).toMatchObject({
      ok: true,
      request: { hostname: 'xn--bcher-kva.example' },
    });
  });

  it('names the entry that is neither a name, an address nor an email', () => {
    expect(parseSubjectAltNames('www.bank32.com, bank_32!')).toEqual({ ok: false, error: '"bank_32!" is not a DNS name, IP address or email address.' });
    expect(parseSubjectAltNames('IP:300.1.1.1')).toMatchObject({ ok: false, error: expect.stringContaining('not an IP address') });
    // A mistyped address is not taken for a host name (it became DNS:10.0.0.256).
    expect(parseSubjectAltNames('www.lab.test 10.0.0.256')).toEqual({ ok: false, error: '"10.0.0.256" is not an IP address: each of its four numbers is 0 to 255.' });
    expect(parseSubjectAltNames('DNS:10.0.0.1')).toMatchObject({ ok: false, error: expect.stringContaining('write IP:10.0.0.1') });
    expect(parseSubjectAltNames('10.0.0')).toMatchObject({ ok: false, error: expect.stringContaining('not a DNS name') });
    expect(parseSubjectAltNames('1password.com 3com.example')).toMatchObject({ ok: true });
    expect(parseSubjectAltNames('dns:')).toMatchObject({ ok: false, error: expect.stringContaining('no name after the colon') });
  });
});

describe('usage defaults per profile, as the engine applies them', () => {
  it('gives an RSA server key encipherment as well, and every other key digital signature only', () => {
    expect(defaultKeyUsage('server', 'rsa:2048')).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(defaultKeyUsage('server', 'ec:P-256')).toEqual(['digitalSignature']);
    expect(defaultKeyUsage('client', 'rsa:4096')).toEqual(['digitalSignature']);
    expect(defaultExtendedKeyUsage('server')).toEqual(['serverAuth']);
    expect(defaultExtendedKeyUsage('client')).toEqual(['clientAuth']);
  });

  it('says which SAN a server gets from its CN when none is typed', () => {
    const form = defaultIssueForm('Lab Root');
    form.subject.CN = 'WWW.bank32.com';
    expect(implicitServerSans(form)).toBe('DNS:www.bank32.com');
    form.sans = 'mail.bank32.com';
    expect(implicitServerSans(form)).toBeNull();
  });
});

describe('the root CA form', () => {
  it('asks for a name and a common name, and explains a bad country and path length', () => {
    const form = defaultCaForm();
    form.subject.C = 'USA';
    form.pathLength = '-1';
    const result = validateCaForm(form);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['name', 'pathLength', 'subject-C', 'subject-CN']);
    expect(result.errors['subject-C']).toContain('two letters');
  });

  it('turns a filled form into the request, leaving empty fields out', () => {
    const form = defaultCaForm();
    form.name = ' Lab Root ';
    form.subject = { ...emptySubject('Lab Root CA'), O: 'Model CA LTD.', C: 'us' };
    form.key = 'ec:P-384';
    form.pathLength = '1';
    form.permitted = 'DNS:.lab.test, IP:10.0.0.0/8';
    expect(validateCaForm(form)).toEqual({
      ok: true,
      request: {
        name: 'Lab Root',
        subject: { CN: 'Lab Root CA', O: 'Model CA LTD.', C: 'US' },
        key: 'ec:P-384',
        days: 3650,
        pathLength: 1,
        nameConstraints: { permitted: ['DNS:.lab.test', 'IP:10.0.0.0/8'] },
      },
    });
  });

  it('refuses a name already in the workbench next to the field, and suggests a free one', () => {
    const taken = new Set(['Lab Root', 'Lab Root 2', 'csr www']);
    const form = defaultCaForm();
    form.name = ' Lab Root ';
    form.subject.CN = 'Another Root';
    expect(validateCaForm(form, taken)).toMatchObject({ ok: false, errors: { name: expect.stringContaining('"Lab Root" is already the name') } });
    const result = validateCaForm(form, taken);
    if (!result.ok) expect(result.errors.name).toContain('"Lab Root 3"');
    const issue = defaultIssueForm('Lab Root');
    issue.subject.CN = 'www.bank32.com';
    issue.name = 'csr www';
    expect(validateIssueForm(issue, Date.now(), taken)).toMatchObject({ ok: false, errors: { name: expect.stringContaining('already') } });
    issue.name = '';
    expect(validateIssueForm(issue, Date.now(), taken).ok).toBe(true);
    expect(validateCsrSignForm({ ...defaultCsrSignForm(1), ca: 'Lab Root', name: 'Lab Root' }, taken).ok).toBe(false);
  });

  it('signs an intermediate under its parent and refuses a constraint without its type', () => {
    const form = defaultCaForm('Lab Root');
    form.name = 'Lab Issuing';
    form.subject.CN = 'Lab Issuing CA';
    expect(validateCaForm(form)).toMatchObject({ ok: true, request: { parent: 'Lab Root', pathLength: 0, days: 1825 } });
    form.excluded = '.gov';
    expect(validateCaForm(form)).toMatchObject({ ok: false, errors: { excluded: expect.stringContaining('DNS:.lab.test') } });
  });
});

describe('the issue form', () => {
  it('sends the usages the student sees, the SANs and the profile', () => {
    const form = defaultIssueForm('Lab Root');
    form.subject.CN = 'www.bank32.com';
    form.sans = 'www.bank32.com, 127.0.0.1';
    form.key = 'ec:P-256';
    form.keyUsage = ['digitalSignature'];
    expect(validateIssueForm(form)).toEqual({
      ok: true,
      request: {
        ca: 'Lab Root',
        subject: { CN: 'www.bank32.com' },
        profile: 'server',
        key: 'ec:P-256',
        keyUsage: ['digitalSignature'],
        extendedKeyUsage: ['serverAuth'],
        subjectAltNames: ['DNS:www.bank32.com', 'IP:127.0.0.1'],
        days: 365,
      },
    });
  });

  it('needs a CA, a common name, at least one key usage and a sane validity', () => {
    const form = defaultIssueForm('');
    form.keyUsage = [];
    form.days = '0';
    const result = validateIssueForm(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['ca', 'days', 'keyUsage', 'subject-CN']);
  });

  it('starts a certificate in the past or the future for a lesson on expiry, and says which it will be', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const form = defaultIssueForm('Lab Root');
    form.subject.CN = 'expired.bank32.com';
    form.startsIn = '-400';
    expect(validateIssueForm(form, now)).toMatchObject({ ok: true, request: { days: 365, notBefore: '2025-04-27T12:00:00.000Z' } });
    expect(validityLesson(form.startsIn, form.days, now)).toBe('expired');
    form.startsIn = '30';
    expect(validateIssueForm(form, now)).toMatchObject({ ok: true, request: { notBefore: '2026-07-01T12:00:00.000Z' } });
    expect(validityLesson(form.startsIn, form.days, now)).toBe('not yet valid');
    form.startsIn = '-10';
    expect(validityLesson(form.startsIn, form.days, now)).toBeNull();
    for (const empty of ['', '0', ' ']) {
      form.startsIn = empty;
      const result = validateIssueForm(form, now);
      expect(result.ok && 'notBefore' in result.request).toBe(false);
    }
    form.startsIn = 'yesterday';
    expect(validateIssueForm(form, now)).toMatchObject({ ok: false, errors: { startsIn: expect.stringContaining('-400') } });
  });
});

describe('signing a CSR, forging, the passphrase', () => {
  it('signs a workbench CSR by id, or pasted PEM, with the copy-extensions choice', () => {
    const byId = { ...defaultCsrSignForm(4), ca: 'Lab Root' };
    expect(validateCsrSignForm(byId)).toEqual({ ok: true, request: { ca: 'Lab Root', copyExtensions: true, profile: 'server', csrId: 4, days: 365 } });
    const pasted = { ...defaultCsrSignForm(), ca: 'Lab Root', copyExtensions: false, csrText: 'hello, not a request!' };
    expect(validateCsrSignForm(pasted)).toMatchObject({ ok: false, errors: { csrText: expect.stringContaining('BEGIN CERTIFICATE REQUEST') } });
    pasted.csrText = '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n';
    expect(validateCsrSignForm(pasted)).toMatchObject({ ok: true, request: { copyExtensions: false, csr: pasted.csrText.trim() } });
  });

  it('says which extensions of a signed request were copied and why the others were not, by name', () => {
    const extensionNames = { '2.5.29.17': 'subjectAltName', '2.5.29.15': 'keyUsage', '2.5.29.19': 'basicConstraints' };
    expect(signedExtensionsNote({
      copiedExtensions: ['2.5.29.17', '2.5.29.15'],
      ignoredExtensions: [{ oid: '2.5.29.19', reason: 'a request cannot make itself a CA; the CA sets basicConstraints' }],
      extensionNames,
    })).toEqual([
      'Copied from the request: subjectAltName (2.5.29.17), keyUsage (2.5.29.15).',
      'Not copied: basicConstraints (2.5.29.19): a request cannot make itself a CA; the CA sets basicConstraints.',
    ]);
    const notAsked = 'extensions are copied only when asked (copy extensions)';
    expect(signedExtensionsNote({
      copiedExtensions: [],
      ignoredExtensions: [{ oid: '2.5.29.17', reason: notAsked }, { oid: '1.2.3.4', reason: notAsked }],
      extensionNames,
    })).toEqual([`Not copied: subjectAltName (2.5.29.17), 1.2.3.4: ${notAsked}.`]);
    expect(extensionName('1.3.6.1.5.5.7.1.1', { '1.3.6.1.5.5.7.1.1': 'authorityInfoAccess' })).toBe('authorityInfoAccess (1.3.6.1.5.5.7.1.1)');
  });

  it('forges for a host name or an address, and wants a PEM template if any', () => {
    expect(validateForgeForm({ ca: 'Lab Root', hostname: ' WWW.Bank32.com ', templatePem: '' })).toEqual({
      ok: true,
      request: { ca: 'Lab Root', hostname: 'www.bank32.com', store: true },
    });
    expect(validateForgeForm({ ca: '', hostname: 'https://x', templatePem: 'nope' })).toMatchObject({
      ok: false,
      errors: { ca: expect.any(String), hostname: expect.any(String), templatePem: expect.any(String) },
    });
  });

  it('wants a passphrase of 8 characters typed the same twice', () => {
    expect(validateNewPassphrase('short', 'short')).toContain('8 characters');
    expect(validateNewPassphrase('long enough', 'long enougH')).toContain('differ');
    expect(validateNewPassphrase('long enough', 'long enough')).toBeNull();
  });

  it('keeps the engine\'s code and message, and makes one for anything else thrown', () => {
    expect(errorInfo({ code: 'NOT_PEM', message: 'not PEM' })).toEqual({ code: 'NOT_PEM', message: 'not PEM' });
    expect(errorInfo(new Error('boom'))).toEqual({ code: 'UNEXPECTED', message: 'boom' });
  });
});

describe('the examples in the empty subject fields', () => {
  it('suggest a CA name for a CA, a host name for a server and a person for a client', () => {
    // A CA whose CN is www.bank32.com, as the old example suggested, collides with the server certificate's subject.
    expect(subjectPlaceholders('ca').CN).toBe('Lab Root CA');
    expect(Object.values(subjectPlaceholders('ca')).join(' ')).not.toMatch(/bank32/i);
    expect(subjectPlaceholders('server').CN).toBe('www.bank32.com');
    expect(subjectPlaceholders('client').CN).toBe('alice');
    expect(subjectPlaceholders('client').C).toBe('US');
  });
});
