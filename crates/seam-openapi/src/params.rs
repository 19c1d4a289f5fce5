//! Parameters as sent (path, query, header, cookie; every style and explode) read back into JSON values for validation.
