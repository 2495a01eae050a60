import Feed

/// The page for a session that is not published (`not-found.mustache`), sent with 404.
func notFoundPage(catalogue: Catalogue, language l: PageLanguage) -> String {
    let body = PageTemplates.render(["sv": l == .sv], with: "not-found")
    return PageFrame(language: l, title: l.pick("Sidan finns inte", "Page not found") + " – " + catalogue.title, siteTitle: catalogue.title)
        .render(body: body)
}
