// One row per CV: {id, props, point}. bodyJson in props keeps the whole record (graph/codec.py).
UNWIND $rows AS row
MERGE (c:Cv {id: row.id})
SET c = row.props
SET c.location = CASE WHEN row.point THEN point({latitude: row.props.lat, longitude: row.props.lon}) END
