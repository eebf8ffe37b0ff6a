CREATE CONSTRAINT exposure_key IF NOT EXISTS FOR (e:Exposure) REQUIRE (e.week, e.target, e.cvId) IS UNIQUE
