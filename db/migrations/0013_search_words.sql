-- Search by words as well as by trigrams. A phrase's trigrams can each be in most cruds while the phrase is in
-- one: every bench crud holds "number", so for "number 4242" the trigram index read six posting lists whole,
-- 17 ms at 1M cruds against 0.7 ms at 10k (EXPLAIN ANALYZE). A word the term holds whole (a separator on
-- each side, inside the term) is a word of every message that matches it, and the piece a term ends in begins
-- one, so a message's words are indexed too, and a rare word or beginning is a handful of entries however
-- large the table: 0.3 ms at 1M cruds. Which words are common is in pg_stats (this index's most common
-- elements): the server looks a term up here only when it holds a word that is not (see SearchWordStatistics).
--
-- A message's words: lowercased as ILIKE lowercases, each cut to 32 characters (a GIN entry holds at most about
-- 2.7 kB, and a reply may be one word of 1,024 characters), split at anything not a letter or digit. One
-- expression, so that PostgreSQL inlines it (0.06 ms a message, against 0.08 ms as a query over its words).
CREATE FUNCTION message_words(message text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_tsvector(array_remove(regexp_split_to_array(
        regexp_replace(lower(message), '([[:alnum:]]{32})[[:alnum:]]+', '\1', 'g'), '[^[:alnum:]]+'), ''));

-- What every message holding `term` holds: its inner words whole, and its last piece as the beginning of a word
-- when it has four characters or more (a shorter one begins too many). Its first piece may be the end of a
-- longer word, so it is not used. NULL when there is nothing to look up. The server builds the same query
-- itself for the terms it looks up here (SearchWordStatistics), and checks that it does with this function.
CREATE FUNCTION search_words(term text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (
        SELECT string_agg('''' || left(p.w, 32) || '''' || CASE WHEN p.i = p.n THEN ':*' ELSE '' END, ' & ')::tsquery
        FROM (SELECT w, i, cardinality(a) AS n
              FROM regexp_split_to_array(lower(term), '[^[:alnum:]]+') AS a, unnest(a) WITH ORDINALITY AS u(w, i)) AS p
        WHERE p.i > 1 AND (p.i < p.n OR char_length(p.w) >= 4));

CREATE INDEX activities_message_words_idx ON activities USING gin (message_words(message));
