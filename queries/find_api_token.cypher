MATCH (t:ApiToken {tokenHash: $token_hash})
RETURN t {.*} AS props
