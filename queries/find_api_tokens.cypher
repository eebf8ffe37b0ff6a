MATCH (t:ApiToken)
RETURN t {.*} AS props
