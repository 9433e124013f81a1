//! Reading a whole site: find its REST API, sign in when asked, then read the posts wanted
//! (`single`) or every page of each post type (`fetch`).

use std::sync::Arc;

use super::fetch::{SiteClient, fetch_type};
use super::single::{self, Wanted};
use super::{FetchedSite, SiteRequest};

/// Runs the whole fetch of a site; see `super::fetch`.
pub async fn fetch_site(
    request: &SiteRequest,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> FetchedSite {
    let client = match SiteClient::new(request) {
        Ok(client) => Arc::new(client),
        Err(reason) => return FetchedSite::failed(&request.url, reason),
    };
    let located = match single::locate(&client, request).await {
        Ok(found) => found,
        Err(reason) => return FetchedSite::failed(&request.url, reason),
    };
    let (api, index) = (located.api, located.index);
    let mut site = FetchedSite {
        url: located.site,
        index: None,
        api: Some(api.clone()),
        signed_in_as: None,
        pages: Vec::new(),
        errors: Vec::new(),
    };
    if request.credentials.is_some() {
        match client.sign_in(&api).await {
            Ok(name) => site.signed_in_as = Some(name),
            Err(reason) => {
                site.errors.push(reason);
                return site;
            }
        }
    }
    let query = request.query(&index);
    site.index = Some(index);
    if located.wanted != Wanted::Every {
        let fetched = single::fetch_wanted(&client, &api, request, &located.wanted).await;
        progress(1, 1);
        site.pages = fetched.pages;
        site.errors = fetched.errors;
        return site;
    }
    for &kind in &request.types {
        let paged = fetch_type(client.clone(), &api, kind, &query, progress).await;
        site.pages.extend(paged.pages.into_values());
        site.errors.extend(paged.errors);
    }
    site
}
