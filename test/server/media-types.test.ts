import { GRAPHQL_RESPONSE_JSON, isJsonRequestType, JSON_TYPE, negotiate } from '../../src/server/media-types';

describe('isJsonRequestType', () => {
  it.each([
    ['application/json', true],
    ['Application/JSON', true],
    ['application/json; charset=utf-8', true],
    ['application/json;charset="UTF8"', true],
    [GRAPHQL_RESPONSE_JSON, true],
    ['application/json; charset=latin1', false],
    ['application/json; charset', false],
    ['text/plain; x=application/json', false],
    ['application/jsonx', false],
    ['', false],
    [undefined, false],
  ])('%p is %p', (header, expected) => {
    expect(isJsonRequestType(header)).toBe(expected);
  });
});

describe('negotiate', () => {
  it.each([
    [undefined, JSON_TYPE],
    ['', JSON_TYPE],
    ['*/*', JSON_TYPE],
    [`${GRAPHQL_RESPONSE_JSON}, application/json;q=0.9`, GRAPHQL_RESPONSE_JSON],
    [`application/json, ${GRAPHQL_RESPONSE_JSON}`, JSON_TYPE],
    [`application/json;q=0.5, ${GRAPHQL_RESPONSE_JSON}`, GRAPHQL_RESPONSE_JSON],
    ['text/html', undefined],
    ['application/json;q=0', undefined],
  ])('Accept %p gets %p', (accept, expected) => {
    // Twice: the second answer comes from the memo and must be the same.
    expect(negotiate(accept)).toBe(expected);
    expect(negotiate(accept)).toBe(expected);
  });
});
