// One row per posting: {id, props, point}. Dates are also kept as day numbers (publishedDay,
// validThroughDay) computed exactly as the embedded store computes them, so both filter alike.
UNWIND $rows AS row
MERGE (p:Posting {id: row.id})
SET p = row.props
SET p.location = CASE WHEN row.point THEN point({latitude: row.props.lat, longitude: row.props.lon}) END
