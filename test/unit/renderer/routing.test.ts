import { describe, expect, it } from 'vitest';
import { takeTokenFromUrl } from '../../../src-renderer/src/lib/access-token';
import { parseRoute, routeHash } from '../../../src-renderer/src/lib/route';

describe('the access token in the URL printed by npm start', () => {
  it('is taken from #token= and leaves an empty hash for routing', () => {
    expect(takeTokenFromUrl('#token=abc_DEF-123', '')).toEqual({ token: 'abc_DEF-123', hash: '', search: '' });
  });

  it('is taken from ?token= and leaves the rest of the query alone', () => {
    expect(takeTokenFromUrl('', '?x=1&token=t0k&y=2')).toEqual({ token: 't0k', hash: '', search: '?x=1&y=2' });
    expect(takeTokenFromUrl('#/about', '?token=t0k')).toEqual({ token: 't0k', hash: '#/about', search: '' });
  });

  it('is taken out of a hash that also names a route', () => {
    expect(takeTokenFromUrl('#/sessions/4?token=abc', '').hash).toBe('#/sessions/4');
    expect(takeTokenFromUrl('#/sessions/4&token=abc', '').hash).toBe('#/sessions/4');
    expect(takeTokenFromUrl('#token=abc&/hosts', '')).toMatchObject({ token: 'abc', hash: '#/hosts' });
    expect(takeTokenFromUrl('#/x?token=abc&y=1', '').hash).toBe('#/x?y=1');
  });

  it('is absent from an ordinary route, which stays as it was', () => {
    expect(takeTokenFromUrl('#/sessions/12', '')).toEqual({ token: null, hash: '#/sessions/12', search: '' });
  });

  it('is percent-decoded, and an empty token counts as none', () => {
    expect(takeTokenFromUrl('#token=a%2Bb', '').token).toBe('a+b');
    expect(takeTokenFromUrl('#token=', '').token).toBeNull();
  });
});

describe('hash routes', () => {
  it('opens the new client session form by default', () => {
    expect(parseRoute('')).toEqual({ name: 'new-client' });
    expect(parseRoute('#/')).toEqual({ name: 'new-client' });
    expect(parseRoute('#/new')).toEqual({ name: 'new-client' });
  });

  it('reads a session id', () => {
    expect(parseRoute('#/sessions/12')).toEqual({ name: 'session', id: 12 });
    expect(parseRoute('#/sessions/12/')).toEqual({ name: 'session', id: 12 });
  });

  it('reads the two sessions of a comparison, in the order given', () => {
    expect(parseRoute('#/compare/12/9')).toEqual({ name: 'compare', a: 12, b: 9 });
    expect(parseRoute('#/compare/12')).toEqual({ name: 'not-found', path: '/compare/12' });
  });

  it('round-trips every route', () => {
    for (const hash of ['#/new', '#/sessions', '#/sessions/7', '#/compare/7/8', '#/hosts', '#/about']) {
      expect(routeHash(parseRoute(hash))).toBe(hash);
    }
  });

  it('says when a path is unknown instead of guessing', () => {
    expect(parseRoute('#/sessions/abc')).toEqual({ name: 'not-found', path: '/sessions/abc' });
  });
});
